using System.Collections.ObjectModel;
using System.Numerics;
using Grid.Serialization;
using static Grid.Abstractions.Tests.Serialization.Util;

namespace Grid.Abstractions.Tests.Serialization;

public class ValueRoundTripTests
{
    [Fact]
    public void Primitives_round_trip()
    {
        Assert.Equal(42, RoundTrip(42));
        Assert.Equal(-7L, RoundTrip(-7L));
        Assert.Equal(long.MinValue, RoundTrip(long.MinValue));
        Assert.Equal(3.25, RoundTrip(3.25));
        Assert.Equal(double.NaN, RoundTrip(double.NaN));
        Assert.Equal(1.5f, RoundTrip(1.5f));
        Assert.True(RoundTrip(true));
        Assert.False(RoundTrip(false));
        Assert.Equal((byte)200, RoundTrip((byte)200));
        Assert.Equal((sbyte)-3, RoundTrip((sbyte)-3));
        Assert.Equal((short)-300, RoundTrip((short)-300));
        Assert.Equal((ushort)60000, RoundTrip((ushort)60000));
        Assert.Equal(4000000000u, RoundTrip(4000000000u));
        Assert.Equal(ulong.MaxValue, RoundTrip(ulong.MaxValue));
        Assert.Equal('λ', RoundTrip('λ'));
        Assert.Equal((Half)2.5, RoundTrip((Half)2.5));
        Assert.Equal(Int128.MaxValue, RoundTrip(Int128.MaxValue));
    }

    [Fact]
    public void Strings_round_trip()
    {
        Assert.Equal("hello", RoundTrip("hello"));
        Assert.Equal("", RoundTrip(""));
        Assert.Null(RoundTrip<string?>(null));
        Assert.Equal("ünïcødé ✓ 𝄞 中文", RoundTrip("ünïcødé ✓ 𝄞 中文"));
        var longText = new string('x', 100_000);
        Assert.Equal(longText, RoundTrip(longText));
    }

    [Fact]
    public void Well_known_structs_round_trip()
    {
        Assert.Equal(123456789.0123456789m, RoundTrip(123456789.0123456789m));
        Assert.Equal(-0.5m, RoundTrip(-0.5m));
        var now = DateTime.UtcNow;
        Assert.Equal(now, RoundTrip(now));
        Assert.Equal(DateTimeKind.Utc, RoundTrip(now).Kind);
        var local = new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Local);
        Assert.Equal(DateTimeKind.Local, RoundTrip(local).Kind);
        var offset = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(-5.5));
        var back = RoundTrip(offset);
        Assert.Equal(offset, back);
        Assert.Equal(offset.Offset, back.Offset);
        Assert.Equal(TimeSpan.FromMilliseconds(-1234.5), RoundTrip(TimeSpan.FromMilliseconds(-1234.5)));
        var guid = Guid.NewGuid();
        Assert.Equal(guid, RoundTrip(guid));
        Assert.Equal(Unit.Value, RoundTrip(Unit.Value));
        Assert.Equal(new DateOnly(2020, 5, 6), RoundTrip(new DateOnly(2020, 5, 6)));
        Assert.Equal(new TimeOnly(7, 8, 9), RoundTrip(new TimeOnly(7, 8, 9)));
        Assert.Equal(BigInteger.Pow(3, 200), RoundTrip(BigInteger.Pow(3, 200)));
        Assert.Equal(new Uri("https://example.com/a?b=c"), RoundTrip(new Uri("https://example.com/a?b=c")));
        Assert.Equal(new Uri("relative/path", UriKind.Relative), RoundTrip(new Uri("relative/path", UriKind.Relative)));
        Assert.Equal(new Version(1, 2, 3, 4), RoundTrip(new Version(1, 2, 3, 4)));
        Assert.Equal(typeof(Dictionary<string, Person>), RoundTrip(typeof(Dictionary<string, Person>)));
        Assert.Equal(typeof(int[,]), RoundTrip<Type>(typeof(int[,])));
    }

    [Fact]
    public void Enums_and_nullables_round_trip()
    {
        Assert.Equal(Color.Blue, RoundTrip(Color.Blue));
        Assert.Equal(Access.Read | Access.Write, RoundTrip(Access.Read | Access.Write));
        Assert.Equal(5, RoundTrip<int?>(5));
        Assert.Null(RoundTrip<int?>(null));
        Assert.Equal(Color.Green, RoundTrip<Color?>(Color.Green));
        Assert.Equal(new Money(1.5m, "EUR"), RoundTrip<Money?>(new Money(1.5m, "EUR")));
        Assert.Null(RoundTrip<Money?>(null));
        Assert.Equal(new int?[] { 1, null, 3 }, RoundTrip(new int?[] { 1, null, 3 }));
        Assert.Equal(new[] { Color.Red, Color.Blue }, RoundTrip(new[] { Color.Red, Color.Blue }));
        Assert.Equal(new List<DateTimeOffset?> { null, DateTimeOffset.UnixEpoch }, RoundTrip(new List<DateTimeOffset?> { null, DateTimeOffset.UnixEpoch }));
    }

    [Fact]
    public void Records_with_init_properties_round_trip()
    {
        var person = new Person("Ada", 36) { Tags = ["math", "engines"], Friend = new Person("Charles", 45) };
        var back = RoundTrip(person);
        Assert.Equal("Ada", back.Name);
        Assert.Equal(36, back.Age);
        Assert.Equal(["math", "engines"], back.Tags);
        Assert.Equal("Charles", back.Friend!.Name);
        Assert.Empty(back.Friend.Tags);
        Assert.Null(back.Friend.Friend);
        Assert.Equal(new Money(10.25m, "USD"), RoundTrip(new Money(10.25m, "USD")));
        Assert.Null(RoundTrip<Person?>(null));
    }

    [Fact]
    public void Poco_without_parameterless_constructor_round_trips_private_and_readonly_state()
    {
        var account = new Account(7, "hunter2") { Created = new DateTime(2001, 1, 1), Balance = 99.95m };
        var back = RoundTrip(account);
        Assert.Equal(7, back.Id);
        Assert.Equal("hunter2", back.Secret);
        Assert.Equal(new DateTime(2001, 1, 1), back.Created);
        Assert.Equal(99.95m, back.Balance);

        // A derived class through its base type: base fields (primary-constructor captures too) and its own.
        var savings = new SavingsAccount(8, "pw", 0.03) { Balance = 1m };
        var asBase = RoundTrip<Account>(savings);
        var s = Assert.IsType<SavingsAccount>(asBase);
        Assert.Equal((8, "pw", 0.03, 1m), (s.Id, s.Secret, s.Rate, s.Balance));
    }

    [Fact]
    public void Structs_round_trip()
    {
        var p = new Point3(1, 2, 3);
        Assert.Equal(p, RoundTrip(p));
        var labeled = new Labeled { Label = "here", Position = p, Values = [4, 5] };
        var back = RoundTrip(labeled);
        Assert.Equal("here", back.Label);
        Assert.Equal(p, back.Position);
        Assert.Equal([4, 5], back.Values!);
        Assert.Equal(new KeyValuePair<string, Person>("k", new Person("v", 1)).Key, RoundTrip(new KeyValuePair<string, Person>("k", new Person("v", 1))).Key);
        Assert.Equal(new KeyValuePair<int, double>(1, 2), RoundTrip(new KeyValuePair<int, double>(1, 2)));
    }

    [Fact]
    public void Class_hierarchy_through_object_and_base_typed_fields()
    {
        var zoo = new Zoo
        {
            Star = new Dog { Name = "Rex", GoodBoy = true },
            Anything = new Cat { Name = "Tom", Lives = 3 },
            Animals = [new Animal { Name = "generic" }, new Dog { Name = "Fido" }, new Cat { Name = "Kit" }, null!],
            Logo = new Circle("logo", 2.5),
        };
        var back = RoundTrip(zoo);
        var rex = Assert.IsType<Dog>(back.Star);
        Assert.Equal(("Rex", true), (rex.Name, rex.GoodBoy));
        var tom = Assert.IsType<Cat>(back.Anything);
        Assert.Equal(("Tom", 3), (tom.Name, tom.Lives));
        Assert.IsType<Animal>(back.Animals[0]);
        Assert.IsType<Dog>(back.Animals[1]);
        Assert.IsType<Cat>(back.Animals[2]);
        Assert.Null(back.Animals[3]);
        Assert.Equal(new Circle("logo", 2.5), back.Logo);
    }

    [Fact]
    public void Values_declared_as_object_keep_their_runtime_type()
    {
        object?[] values =
        [
            1, 2L, 3.5, "s", true, 'c', 4.5m, Color.Green, Guid.Empty, Unit.Value, null,
            new Person("p", 1), new[] { 1, 2 }, new List<string> { "a" }, new Rect("r", 1, 2), (1, "two"),
            new Dictionary<string, object?> { ["x"] = 1, ["y"] = new[] { "z" } }, new object(), typeof(string),
        ];
        var back = RoundTrip(values);
        Assert.Equal(values.Length, back.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] is null) Assert.Null(back[i]);
            else Assert.Equal(values[i]!.GetType(), back[i]!.GetType());
        }
        Assert.Equal(new Person("p", 1).Name, ((Person)back[11]!).Name);
        Assert.Equal(new[] { 1, 2 }, (int[])back[12]!);
        Assert.Equal(new Rect("r", 1, 2), back[14]);
        Assert.Equal((1, "two"), back[15]);
        Assert.Equal(new[] { "z" }, (string[])((Dictionary<string, object?>)back[16]!)["y"]!);
        Assert.Equal(typeof(string), back[18]);
        Assert.Equal(42, RoundTrip<object>(42));
        Assert.Equal("x", RoundTrip<object>("x"));
    }

    public sealed class Box<T>
    {
        public T? Value;
        public sealed class Inner
        {
            public List<T> Items = [];
        }
    }

    [Fact]
    public void User_generic_types_are_named_by_definition_and_arguments()
    {
        object value = new Box<Person> { Value = new Person("boxed", 1) };
        var back = Assert.IsType<Box<Person>>(RoundTrip(value));
        Assert.Equal("boxed", back.Value!.Name);
        object inner = new Box<Shape>.Inner { Items = [new Circle("c", 1)] };
        Assert.Equal(new Circle("c", 1), Assert.IsType<Box<Shape>.Inner>(RoundTrip(inner)).Items[0]);
        object anonymous = new { A = 1, B = "b" };
        Assert.Equal(anonymous, RoundTrip(anonymous));
    }

    [Fact]
    public void Covariant_arrays_keep_their_runtime_type()
    {
        Animal[] dogs = new Dog[] { new() { Name = "a" } };
        var back = RoundTrip(dogs);
        Assert.IsType<Dog[]>(back);
        object[] strings = new[] { "x", "y" };
        Assert.IsType<string[]>(RoundTrip(strings));
    }

    [Fact]
    public void Collections_with_nested_records_round_trip()
    {
        var list = new List<Person> { new("a", 1), new("b", 2) { Tags = ["t"] } };
        var backList = RoundTrip(list);
        Assert.Equal(2, backList.Count);
        Assert.Equal(["t"], backList[1].Tags);

        var dict = new Dictionary<string, Person> { ["x"] = new("x", 10), ["y"] = new("y", 20) };
        var backDict = RoundTrip(dict);
        Assert.Equal(20, backDict["y"].Age);

        var set = new HashSet<Money> { new(1, "A"), new(2, "B") };
        Assert.True(set.SetEquals(RoundTrip(set)));

        var sorted = new SortedDictionary<int, string> { [3] = "c", [1] = "a" };
        Assert.Equal(sorted, RoundTrip(sorted));
        var sortedSet = new SortedSet<string> { "b", "a" };
        Assert.Equal(sortedSet, RoundTrip(sortedSet));
        var sortedList = new SortedList<string, int> { ["b"] = 2, ["a"] = 1 };
        Assert.Equal(sortedList, RoundTrip(sortedList));
        var linked = new LinkedList<Shape>([new Circle("c", 1), new Rect("r", 1, 1)]);
        Assert.Equal(linked, RoundTrip(linked));
        var observable = new ObservableCollection<int> { 3, 1, 2 };
        Assert.Equal(observable, RoundTrip(observable));

        var queue = new Queue<string>(["first", "second", "third"]);
        Assert.Equal(["first", "second", "third"], RoundTrip(queue).ToArray());
        var stack = new Stack<int>();
        stack.Push(1);
        stack.Push(2);
        stack.Push(3);
        var backStack = RoundTrip(stack);
        Assert.Equal(3, backStack.Pop());
        Assert.Equal(2, backStack.Pop());
        Assert.Equal(1, backStack.Pop());

        var nested = new Dictionary<int, List<Dictionary<string, Person[]>>>
        {
            [1] = [new() { ["p"] = [new("deep", 99)] }],
        };
        Assert.Equal(99, RoundTrip(nested)[1][0]["p"][0].Age);
    }

    [Fact]
    public void List_of_unmanaged_values_round_trips()
    {
        var values = Enumerable.Range(0, 1000).Select(i => new Point3(i, -i, i * 0.5)).ToList();
        Assert.Equal(values, RoundTrip(values));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i).ToList(), RoundTrip(Enumerable.Range(0, 10).Select(i => (double)i).ToList()));
    }

    [Fact]
    public void Dictionary_keeps_builtin_string_comparer()
    {
        var dict = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["Key"] = 1 };
        var back = RoundTrip(dict);
        Assert.Equal(1, back["KEY"]);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "A" };
        Assert.Contains("a", RoundTrip(set));
        Assert.Same(EqualityComparer<string>.Default, RoundTrip(new Dictionary<string, int>()).Comparer);
    }

    [Fact]
    public void Empty_collections_and_null_elements_round_trip()
    {
        Assert.Empty(RoundTrip(new List<int>()));
        Assert.Empty(RoundTrip(new List<Person>()));
        Assert.Empty(RoundTrip(new Dictionary<string, Person>()));
        Assert.Empty(RoundTrip(new HashSet<string>()));
        Assert.Empty(RoundTrip(Array.Empty<string>()));
        Assert.Empty(RoundTrip(Array.Empty<double>()));
        Assert.Empty(RoundTrip(new Queue<int>()));
        Assert.Null(RoundTrip<List<int>?>(null));
        Assert.Null(RoundTrip<Dictionary<string, int>?>(null));
        Assert.Null(RoundTrip<int[]?>(null));
        Assert.Null(RoundTrip<string[]?>(null));
        Assert.Equal(new string?[] { "a", null, "c" }, RoundTrip(new string?[] { "a", null, "c" }));
        Assert.Equal(new List<Person?> { null, new("x", 1) }, RoundTrip(new List<Person?> { null, new("x", 1) }), (a, b) => a?.Name == b?.Name);
        Assert.Equal(new Dictionary<string, string?> { ["n"] = null }, RoundTrip(new Dictionary<string, string?> { ["n"] = null }));
    }

    [Fact]
    public void Interface_typed_declarations_write_the_runtime_type()
    {
        IEnumerable<int> list = new List<int> { 1, 2 };
        Assert.IsType<List<int>>(RoundTrip(list));
        IReadOnlyList<Person> array = [new Person("a", 1)];
        Assert.Equal("a", RoundTrip(array)[0].Name);
        IList<string> ilist = new List<string> { "x" };
        Assert.Equal(["x"], RoundTrip(ilist));
        IDictionary<string, int> idict = new Dictionary<string, int> { ["a"] = 1 };
        Assert.IsType<Dictionary<string, int>>(RoundTrip(idict));
        IReadOnlyDictionary<int, Shape> rodict = new Dictionary<int, Shape> { [1] = new Circle("c", 1) };
        Assert.Equal(new Circle("c", 1), RoundTrip(rodict)[1]);
        ISet<int> set = new HashSet<int> { 5 };
        Assert.Contains(5, RoundTrip(set));
        IReadOnlyCollection<int> ro = new ReadOnlyCollection<int>([1, 2, 3]);
        Assert.Equal([1, 2, 3], RoundTrip(ro));

        var zoo = new Zoo
        {
            Sequence = Enumerable.Range(0, 5).Select(i => i * i), // a lazy LINQ query: sent as its elements
            Names = ["a", "b"],                                   // a collection expression's hidden list type
            Counts = new SortedDictionary<string, int> { ["k"] = 1 },
        };
        var back = RoundTrip(zoo);
        Assert.Equal([0, 1, 4, 9, 16], back.Sequence!);
        Assert.Equal(["a", "b"], back.Names!);
        Assert.IsType<SortedDictionary<string, int>>(back.Counts);
        Assert.Equal(new[] { 2, 3 }, RoundTrip<IEnumerable<int>>(Iterate()));

        static IEnumerable<int> Iterate()
        {
            yield return 2;
            yield return 3;
        }
    }

    [Fact]
    public void Tuples_round_trip_including_nested_rest()
    {
        var t3 = Tuple.Create(1, "two", 3.0);
        Assert.Equal(t3, RoundTrip(t3));
        var t9 = new Tuple<int, string, double, long, char, bool, byte, Tuple<string, Person>>(
            1, "2", 3, 4, '5', true, 7, Tuple.Create("8", new Person("9", 9)));
        var back9 = RoundTrip(t9);
        Assert.Equal((1, "2", 3.0, 4L, '5', true, (byte)7, "8"), (back9.Item1, back9.Item2, back9.Item3, back9.Item4, back9.Item5, back9.Item6, back9.Item7, back9.Rest.Item1));
        Assert.Equal("9", back9.Rest.Item2.Name);

        var v3 = (1, "two", new Person("three", 3));
        Assert.Equal("three", RoundTrip(v3).Item3.Name);
        var v9 = (1, "2", 3.0, 4L, '5', true, (byte)7, "8", 9m);
        Assert.Equal(v9, RoundTrip(v9));
        var unmanaged9 = (1, 2, 3, 4, 5, 6, 7, 8, 9.5);
        Assert.Equal(unmanaged9, RoundTrip(unmanaged9));
        var kv = new KeyValuePair<string, (int, string)>("k", (1, "v"));
        Assert.Equal(kv, RoundTrip(kv));
    }

    [Fact]
    public void Shared_references_are_copied_as_a_tree()
    {
        var shared = new Person("shared", 1);
        var back = RoundTrip(new List<Person> { shared, shared });
        Assert.Equal("shared", back[1].Name);
        Assert.NotSame(back[0], back[1]); // tree semantics: two copies
    }

    [Fact]
    public void NonSerialized_fields_are_skipped()
    {
        var value = new WithIgnored { Kept = 3, Ignored = () => { } };
        var back = RoundTrip(value);
        Assert.Equal(3, back.Kept);
        Assert.Null(back.Ignored);
    }

    [Fact]
    public void Deep_but_acyclic_graphs_within_the_limit_round_trip()
    {
        Node? head = null;
        for (int i = 0; i < 200; i++) head = new Node { Value = i, Next = head };
        var back = RoundTrip(head!);
        int count = 0;
        for (var n = back; n is not null; n = n.Next) count++;
        Assert.Equal(200, count);
    }

    [Fact]
    public void Type_resolver_hook_is_consulted_for_type_names()
    {
        var names = new List<string>();
        var serializer = new GridSerializer
        {
            TypeResolver = name =>
            {
                lock (names) names.Add(name);
                return name.StartsWith(typeof(Circle).FullName!, StringComparison.Ordinal) ? typeof(Circle) : null;
            },
        };
        var bytes = serializer.Serialize<Shape>(new Circle("c", 1));
        Assert.Equal(new Circle("c", 1), serializer.Deserialize<Shape>(bytes));
        Assert.Contains(names, n => n == $"{typeof(Circle).FullName}, {typeof(Circle).Assembly.GetName().Name}");
    }

    [Fact]
    public void Concurrent_use_is_safe()
    {
        var failures = 0;
        Parallel.For(0, 2000, i =>
        {
            var value = new Pipeline2($"p{i}", [new Person($"n{i}", i)], new Dictionary<int, Shape> { [i] = new Circle("c", i) });
            var back = GridSerializer.Instance.Deserialize<Pipeline2>(GridSerializer.Instance.Serialize(value));
            if (back.Name != value.Name || back.People[0].Age != i || ((Circle)back.Shapes[i]).Radius != i) Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }

    public sealed record Pipeline2(string Name, List<Person> People, Dictionary<int, Shape> Shapes);

    [Fact]
    public void Serializing_an_int_allocates_only_the_result()
    {
        var serializer = GridSerializer.Instance;
        serializer.Serialize(1); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) serializer.Serialize(i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 1000 * 32, $"allocated {allocated} bytes for 1000 ints"); // a byte[5] is 32 bytes on 64-bit
    }
}
