namespace Grid.Abstractions.Tests.Ids;

public sealed class ObjectIdForReturnTests
{
    [Fact]
    public void Return_zero_is_the_task_and_every_index_gets_a_distinct_id_from_the_same_task()
    {
        var task = ObjectId.New();
        Assert.Equal(task, ObjectId.ForReturn(task, 0));
        var ids = Enumerable.Range(0, 10_000).Select(i => ObjectId.ForReturn(task, i)).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(ids[5], ObjectId.ForReturn(task, 5)); // derived, not minted: any process gets the same id
        Assert.DoesNotContain(ObjectId.ForReturn(ObjectId.New(), 1), ids);
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectId.ForReturn(task, -1));
    }
}
