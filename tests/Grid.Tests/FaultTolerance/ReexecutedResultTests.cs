using Grid.Tests.Fixtures;
using Grid.Wire;

namespace Grid.Tests.FaultTolerance;

/// <summary>
/// A task can run twice on one node: its first answer was lost with a gateway and the submitter sent it again, or its
/// owner rebuilt a lost result there. Its result id is the task's, so the second run finds the first's result in the
/// store: that is the result (a task's output is its output), not an "already exists" failure of the task.
/// </summary>
[Collection("embedded")]
public sealed class ReexecutedResultTests(EmbeddedGridFixture fixture)
{
    [Fact]
    public async Task Storing_a_result_id_the_node_already_holds_keeps_the_first_copy_and_succeeds()
    {
        var worker = fixture.Grid.Worker;
        var id = ObjectId.New();
        var first = Enumerable.Range(0, 50_000).Select(i => (long)i).ToArray();
        var second = Enumerable.Range(0, 50_000).Select(i => -(long)i).ToArray();

        var stored = await worker.StoreValueAsync(id, first, typeof(long[]));
        var again = await worker.StoreValueAsync(id, second, typeof(long[]));

        Assert.Equal(PayloadKind.Stored, stored.Kind);
        Assert.Equal(stored.Kind, again.Kind);
        Assert.Equal(stored.Node, again.Node);
        Assert.Equal(stored.Size, again.Size);
        Assert.True(worker.LocalStore!.TryGet(id, out var held));
        using (held)
        {
            // The elements are the object's last bytes: the first run's, untouched by the second.
            var elements = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(held.Span[^(first.Length * sizeof(long))..]);
            Assert.Equal(first, elements.ToArray());
        }
        Assert.True(worker.LocalStore.Delete(id));
    }
}
