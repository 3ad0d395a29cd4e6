namespace Grid.ObjectStore.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public void Concurrent_puts_from_several_threads_all_land_intact()
    {
        using var store = TestData.NewStore();
        const int threads = 8, perThread = 40;
        var ids = new ObjectId[threads, perThread];
        var sizes = new int[threads, perThread];

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                var id = ObjectId.New();
                var size = 1 + (t * perThread + i) * 997 % 300_000;
                store.Put(id, TestData.Pattern(size, seed: t * perThread + i));
                ids[t, i] = id;
                sizes[t, i] = size;
            }
        });

        Assert.Equal(threads * perThread, store.Count);
        Assert.Equal(sizes.Cast<int>().Sum(s => (long)s), store.UsedBytes);
        for (var t = 0; t < threads; t++)
        {
            for (var i = 0; i < perThread; i++)
            {
                Assert.True(store.TryGet(ids[t, i], out var obj));
                using (obj) Assert.True(obj.Span.SequenceEqual(TestData.Pattern(sizes[t, i], seed: t * perThread + i)));
            }
        }
    }

    [Fact]
    public void Large_puts_from_several_threads_at_once_each_land_intact_whether_or_not_they_get_copy_helpers()
    {
        // Past ParallelCopy's threshold and not whole pages: copies that find a helper idle split, the others
        // (the helpers are busy with their neighbours' copies) copy alone, and every object holds its own bytes.
        const int threads = 6, large = 24 * 1024 * 1024 + 4000;
        using var store = TestData.NewStore();
        var ids = new ObjectId[threads];
        using var start = new Barrier(threads);

        var errors = new Exception?[threads];
        var writers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                var data = TestData.Pattern(large + t, seed: 40 + t);
                start.SignalAndWait();
                ids[t] = ObjectId.New();
                store.Put(ids[t], data);
            }
            catch (Exception e) { errors[t] = e; } // an exception on a thread of its own would end the test process
        })).ToList();
        writers.ForEach(w => w.Start());
        writers.ForEach(w => w.Join());

        Assert.All(errors, Assert.Null);
        for (var t = 0; t < threads; t++)
        {
            Assert.True(store.TryGet(ids[t], out var obj));
            using (obj) Assert.True(obj.Span.SequenceEqual(TestData.Pattern(large + t, seed: 40 + t)));
        }
    }

    [Fact]
    public void Racing_creates_of_one_id_let_exactly_one_win()
    {
        using var store = TestData.NewStore();
        for (var round = 0; round < 50; round++)
        {
            var id = ObjectId.New();
            var winners = 0;
            Parallel.For(0, 4, _ =>
            {
                if (!store.TryCreate(id, 4096, out var writer)) return;
                Interlocked.Increment(ref winners);
                writer.Seal();
            });
            Assert.Equal(1, winners);
        }
        Assert.Equal(50, store.Count);
    }

    [Fact]
    public async Task Disjoint_ranges_can_be_written_in_parallel()
    {
        using var store = TestData.NewStore();
        var id = ObjectId.New();
        const int chunk = 1 << 20, chunks = 8;
        var data = TestData.Pattern(chunk * chunks, seed: 11);

        using (var writer = store.Create(id, data.Length))
        {
            var memory = writer.Memory;
            await Parallel.ForAsync(0, chunks, (c, _) =>
            {
                data.AsSpan(c * chunk, chunk).CopyTo(memory.Span[(c * chunk)..]);
                return ValueTask.CompletedTask;
            });
            writer.Seal();
        }

        Assert.True(store.TryGet(id, out var obj));
        using (obj) Assert.True(obj.Span.SequenceEqual(data));
    }
}
