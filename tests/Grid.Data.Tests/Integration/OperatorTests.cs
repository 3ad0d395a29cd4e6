using Apache.Arrow;

namespace Grid.Data.Tests.Integration;

/// <summary>A sale: the rows the operator tests transform, and LINQ over the same list says what each must give.</summary>
public sealed record Sale(long Id, string Region, long Amount, double Price);

/// <summary>The rows the integration tests share.</summary>
public static class TestRows
{
    private static readonly string[] Regions = ["north", "south", "east", "west", "centre"];

    /// <summary>1 000 sales with repeated regions and amounts (ties for the sort and groups for the aggregates).</summary>
    public static readonly IReadOnlyList<Sale> Sales = [.. Enumerable.Range(0, 1_000).Select(i =>
        new Sale(i, Regions[i * 7 % Regions.Length], (i * 37) % 101, Math.Round((i * 13 % 17) * 0.25 + 1, 2)))];
}

public sealed record SaleTotal(long Id, string Region, long Amount, double Price, double Total);

public sealed record SaleId(long Id);

/// <summary>
/// Every operator of the Dataset API against LINQ over the same rows, on the embedded mode and on the 3-silo cluster:
/// sort, group-by aggregates, shuffle, repartition, limit, union, the column operators, FlatMap and MapBatches as tasks.
/// </summary>
public abstract class OperatorTests(IDataFixture fixture)
{
    private static IReadOnlyList<Sale> Sales => TestRows.Sales;

    private GridClient Grid => fixture.Grid;

    /// <summary>The sales in 8 blocks: every operator sees several.</summary>
    private Dataset Ds() => Grid.FromItems(Sales, blocks: 8);

    [Fact]
    public async Task Sort_by_two_keys_equals_linq()
    {
        var sorted = await Ds().Sort(new SortKey("Amount", Descending: true), new SortKey("Id")).TakeAllAsync<Sale>();
        Assert.Equal(Sales.OrderByDescending(s => s.Amount).ThenBy(s => s.Id), sorted);
    }

    [Fact]
    public async Task Sort_by_a_string_column_equals_linq()
    {
        var sorted = await Ds().Sort("Region").TakeAllAsync<Sale>();
        Assert.Equal(Sales.Select(s => s.Region).Order(StringComparer.Ordinal), sorted.Select(s => s.Region));
        Assert.Equal(Sales.OrderBy(s => s.Id), sorted.OrderBy(s => s.Id));
    }

    [Fact]
    public async Task GroupBy_aggregates_equal_linq()
    {
        var groups = Sales.GroupBy(s => s.Region).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();

        var counts = await Ds().GroupBy("Region").Count().TakeAllAsync<Row>();
        Assert.Equal(groups.Select(g => (g.Key, (long)g.Count())), counts.Select(r => (r.Get<string>("Region"), r.Get<long>("count()"))));

        var sums = await Ds().GroupBy("Region").Sum("Amount").TakeAllAsync<Row>();
        Assert.Equal(groups.Select(g => (g.Key, g.Sum(s => s.Amount))), sums.Select(r => (r.Get<string>("Region"), r.Get<long>("sum(Amount)"))));

        var means = await Ds().GroupBy("Region").Mean("Price").TakeAllAsync<Row>();
        Assert.Equal(groups.Select(g => g.Key), means.Select(r => r.Get<string>("Region")));
        Assert.All(groups.Zip(means), p => Assert.Equal(p.First.Average(s => s.Price), p.Second.Get<double>("mean(Price)"), 1e-9));

        var mins = await Ds().GroupBy("Region").Min("Amount").TakeAllAsync<Row>();
        Assert.Equal(groups.Select(g => g.Min(s => s.Amount)), mins.Select(r => r.Get<long>("min(Amount)")));
        var maxes = await Ds().GroupBy("Region").Max("Price").TakeAllAsync<Row>();
        Assert.Equal(groups.Select(g => g.Max(s => s.Price)), maxes.Select(r => r.Get<double>("max(Price)")));

        // No keys: one group of every row.
        var total = Assert.Single(await Ds().GroupBy().Sum("Amount").TakeAllAsync<Row>());
        Assert.Equal(Sales.Sum(s => s.Amount), total.Get<long>("sum(Amount)"));
    }

    [Fact]
    public async Task RandomShuffle_is_a_permutation_and_a_seed_repeats_its_order()
    {
        var first = await Ds().RandomShuffle(seed: 42).TakeAllAsync<Sale>();
        var again = await Ds().RandomShuffle(seed: 42).TakeAllAsync<Sale>();
        var other = await Ds().RandomShuffle(seed: 43).TakeAllAsync<Sale>();

        Assert.Equal(Sales, first.OrderBy(s => s.Id));
        Assert.Equal(first, again);
        Assert.NotEqual(Sales, first); // 1 000! orders: the input's own is not one a shuffle gives
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Repartition_keeps_the_rows_in_order_in_that_many_blocks()
    {
        var blocks = new List<int>();
        await foreach (var batch in Ds().Repartition(5).IterBatchesAsync()) blocks.Add(batch.Length);
        Assert.Equal(5, blocks.Count);
        Assert.Equal(Sales.Count, blocks.Sum());
        Assert.Equal(Sales, await Ds().Repartition(5).TakeAllAsync<Sale>());

        var shuffled = await Ds().Repartition(3, shuffle: true, seed: 1).TakeAllAsync<Sale>();
        Assert.Equal(Sales, shuffled.OrderBy(s => s.Id));
    }

    [Fact]
    public async Task Limit_takes_the_first_rows()
    {
        Assert.Equal(Sales.Take(317), await Ds().Limit(317).TakeAllAsync<Sale>());
        Assert.Equal(Sales.Take(125), await Ds().Limit(125).TakeAllAsync<Sale>()); // exactly one block
        Assert.Empty(await Ds().Limit(0).TakeAllAsync<Sale>());
        Assert.Equal(Sales, await Ds().Limit(5_000).TakeAllAsync<Sale>());
        Assert.Equal(Sales.Take(20), await Ds().TakeAsync<Sale>(20));
    }

    [Fact]
    public async Task Union_appends_the_datasets_in_order()
    {
        var other = Sales.Select(s => s with { Id = s.Id + 10_000 }).Take(123).ToList();
        var union = await Ds().Union(Grid.FromItems(other, blocks: 2), Ds().Limit(10)).TakeAllAsync<Sale>();
        Assert.Equal(Sales.Concat(other).Concat(Sales.Take(10)), union);
    }

    [Fact]
    public async Task Column_operators_equal_linq()
    {
        var totals = await Ds().AddColumn("Total", static (Sale s) => s.Amount * s.Price).TakeAllAsync<SaleTotal>();
        Assert.Equal(Sales.Select(s => new SaleTotal(s.Id, s.Region, s.Amount, s.Price, s.Amount * s.Price)), totals);

        var selected = await Ds().SelectColumns("Region", "Id").TakeAllAsync<Row>();
        Assert.All(selected, r => Assert.Equal(["Region", "Id"], r.Keys));
        Assert.Equal(Sales.Select(s => (s.Region, s.Id)), selected.Select(r => (r.Get<string>("Region"), r.Get<long>("Id"))));

        var dropped = await Ds().DropColumns("Price", "Region").TakeAllAsync<Row>();
        Assert.All(dropped, r => Assert.Equal(["Id", "Amount"], r.Keys));
        Assert.Equal(Sales.Select(s => s.Amount), dropped.Select(r => r.Get<long>("Amount")));

        var schema = await Ds().DropColumns("Price").SchemaAsync();
        Assert.Equal(["Id", "Region", "Amount"], schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public async Task FlatMap_equals_linq_SelectMany()
    {
        var many = await Ds().FlatMap(static (Sale s) => Enumerable.Repeat(new SaleId(s.Id), (int)(s.Amount % 3))).TakeAllAsync<SaleId>();
        Assert.Equal(Sales.SelectMany(s => Enumerable.Repeat(new SaleId(s.Id), (int)(s.Amount % 3))), many);
    }

    [Fact]
    public async Task MapBatches_as_tasks_equals_linq()
    {
        // Arrow batches of at most 64 rows: typed column arrays in, a batch of new arrays out.
        var doubled = await Ds().MapBatches(static batch =>
        {
            var ids = batch.Get<long>("Id");
            var amounts = batch.Get<long>("Amount");
            return Columns.Batch(("Id", ids), ("Amount", amounts.Select(a => a * 2).ToArray()), ("Rows", Enumerable.Repeat((long)ids.Length, ids.Length).ToArray()));
        }, batchSize: 64).TakeAllAsync<Row>();
        Assert.Equal(Sales.Select(s => s.Amount * 2), doubled.Select(r => r.Get<long>("Amount")));
        Assert.All(doubled, r => Assert.InRange(r.Get<long>("Rows"), 1, 64));

        // Typed row batches.
        var expensive = await Ds().MapBatches(static (IReadOnlyList<Sale> rows) => rows.Where(s => s.Price > 3).Select(s => new SaleId(s.Id))).TakeAllAsync<SaleId>();
        Assert.Equal(Sales.Where(s => s.Price > 3).Select(s => new SaleId(s.Id)), expensive);
    }

    [Fact]
    public async Task Chained_operators_count_equals_linq()
    {
        var ds = Ds().Filter(static (Sale s) => s.Region != "west").Map(static (Sale s) => s with { Amount = s.Amount + 1 }).Sort("Id", descending: true);
        var expected = Sales.Where(s => s.Region != "west").Select(s => s with { Amount = s.Amount + 1 }).OrderByDescending(s => s.Id).ToList();
        Assert.Equal(expected.Count, await ds.CountAsync());
        Assert.Equal(expected, await ds.TakeAllAsync<Sale>());
        var rows = new List<Sale>();
        await foreach (var sale in ds.IterRowsAsync<Sale>()) rows.Add(sale);
        Assert.Equal(expected, rows);
    }
}

[Collection("data-embedded")]
public sealed class EmbeddedOperatorTests(EmbeddedDataFixture fixture) : OperatorTests(fixture);

[Collection("data-cluster")]
public sealed class ClusterOperatorTests(ClusterDataFixture fixture) : OperatorTests(fixture);
