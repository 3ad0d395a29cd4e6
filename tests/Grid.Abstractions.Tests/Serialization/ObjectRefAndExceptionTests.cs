using System.Runtime.CompilerServices;
using Grid.Serialization;
using Grid.Wire;
using static Grid.Abstractions.Tests.Serialization.Util;

namespace Grid.Abstractions.Tests.Serialization;

public class ObjectRefTests
{
    private static readonly GrainId Owner = GrainId.Create("grid-owner", "node-1");

    [Fact]
    public void ObjectRef_round_trips_bound_to_the_given_resolver()
    {
        var sender = new FakeResolver();
        var receiver = new FakeResolver();
        var reference = new ObjectRef<int>(ObjectId.New(), Owner, sender);

        var back = S.Deserialize<ObjectRef<int>>(S.Serialize(reference), receiver);
        Assert.Equal(reference.Id, back.Id);
        Assert.Equal(Owner, back.Owner);
        Assert.Same(receiver, back.Resolver);
        Assert.Equal(typeof(int), back.ValueType);

        Assert.Null(S.Deserialize<ObjectRef<int>>(S.Serialize(reference)).Resolver);
        Assert.Null(S.Deserialize<ObjectRef<int>?>(S.Serialize<ObjectRef<int>?>(null)));
    }

    [Fact]
    public void Refs_nested_in_collections_and_declared_as_the_base_stay_refs()
    {
        var receiver = new FakeResolver();
        var refs = new List<ObjectRef<int>>
        {
            new(ObjectId.New(), Owner, null),
            new(ObjectId.New(), GrainId.Create("grid-owner", "node-2"), null),
        };
        var back = S.Deserialize<List<ObjectRef<int>>>(S.Serialize(refs), receiver);
        Assert.Equal(refs.Select(r => r.Id), back.Select(r => r.Id));
        Assert.Equal(refs.Select(r => r.Owner), back.Select(r => r.Owner));
        Assert.All(back, r => Assert.Same(receiver, r.Resolver));

        ObjectRef untyped = new ObjectRef<Person>(ObjectId.New(), Owner, null);
        var backUntyped = S.Deserialize<ObjectRef>(S.Serialize(untyped), receiver);
        Assert.IsType<ObjectRef<Person>>(backUntyped);
        Assert.Equal(untyped.Id, backUntyped.Id);

        var inObject = (object[])S.Deserialize(S.Serialize<object[]>([untyped, 1]), typeof(object[]), receiver)!;
        Assert.Same(receiver, ((ObjectRef)inObject[0]).Resolver);
    }

    [Fact]
    public void Ref_without_owner_round_trips()
    {
        var reference = new ObjectRef<string>(ObjectId.New(), default, null);
        var back = RoundTrip(reference);
        Assert.True(back.Owner.IsDefault);
        Assert.Equal(reference.Id, back.Id);
    }
}

public class ExceptionTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowingHelperMethod() => throw new InvalidOperationException("the helper failed");

    private static T Caught<T>(Action action) where T : Exception
    {
        try
        {
            action();
        }
        catch (T e)
        {
            return e;
        }
        throw new InvalidOperationException("did not throw");
    }

    [Fact]
    public void Thrown_exception_is_rebuilt_with_type_message_and_remote_stack_trace()
    {
        var original = Caught<InvalidOperationException>(ThrowingHelperMethod);
        var error = S.ToRemoteError(original, "task Tests.Helper on node A");
        Assert.Equal(typeof(InvalidOperationException).FullName, error.TypeName);
        Assert.Equal("the helper failed", error.Message);
        Assert.Equal("task Tests.Helper on node A", error.Origin);
        Assert.Contains(nameof(ThrowingHelperMethod), error.StackTrace);
        Assert.NotNull(error.Exception);

        var rebuilt = S.ToException(error);
        Assert.IsType<InvalidOperationException>(rebuilt);
        Assert.Equal("the helper failed", rebuilt.Message);
        Assert.Contains(nameof(ThrowingHelperMethod), rebuilt.StackTrace);
        Assert.Equal("task Tests.Helper on node A", rebuilt.Data[GridSerializer.OriginDataKey]);
        Assert.Equal(original.HResult, rebuilt.HResult);
    }

    [Fact]
    public void Custom_exception_keeps_its_extra_properties_and_skips_unserializable_ones()
    {
        var original = Caught<CustomException>(() => throw new CustomException("custom", new ArgumentException("bad arg", "x"))
        {
            Code = 42,
            Detail = "more",
            Callback = () => { },
        });
        original.Data["attempt"] = 3;
        original.Data["unsendable"] = new Action(() => { });

        var rebuilt = Assert.IsType<CustomException>(S.ToException(S.ToRemoteError(original, null)));
        Assert.Equal("custom", rebuilt.Message);
        Assert.Equal(42, rebuilt.Code);
        Assert.Equal("more", rebuilt.Detail);
        Assert.Null(rebuilt.Callback);
        Assert.Equal(3, rebuilt.Data["attempt"]);
        Assert.False(rebuilt.Data.Contains("unsendable"));
        var inner = Assert.IsType<ArgumentException>(rebuilt.InnerException);
        Assert.Equal("x", inner.ParamName);
        Assert.Equal(original.InnerException!.Message, inner.Message);
    }

    [Fact]
    public void Exceptions_of_many_shapes_round_trip()
    {
        var nullArg = new ArgumentNullException("param", "was null");
        var back = (ArgumentNullException)S.ToException(S.ToRemoteError(nullArg, null));
        Assert.Equal(nullArg.Message, back.Message);
        Assert.Equal("param", back.ParamName);

        var aggregate = new AggregateException("many", new InvalidOperationException("one"), new FormatException("two"));
        var backAggregate = (AggregateException)S.ToException(S.ToRemoteError(aggregate, null));
        Assert.Equal(2, backAggregate.InnerExceptions.Count);
        Assert.IsType<FormatException>(backAggregate.InnerExceptions[1]);

        var odd = OddException.Make("odd one", 5);
        var backOdd = (OddException)S.ToException(S.ToRemoteError(odd, null));
        Assert.Equal("odd one", backOdd.Message);
        Assert.Equal(5, backOdd.Code);

        // Exceptions as ordinary values, in a field declared as Exception.
        var holder = new WithObject { Value = new KeyNotFoundException("missing") };
        Assert.Equal("missing", ((KeyNotFoundException)RoundTrip(holder).Value!).Message);
    }

    [Fact]
    public void Unknown_exception_type_yields_GridTaskException()
    {
        var error = new RemoteError
        {
            TypeName = "Some.Missing.WidgetException",
            Message = "widget broke",
            StackTrace = "   at Some.Missing.Widget.Run()",
            Origin = "task Widget.Run on node B",
        };
        var rebuilt = Assert.IsType<GridTaskException>(S.ToException(error));
        Assert.Equal("Some.Missing.WidgetException", rebuilt.RemoteType);
        Assert.Equal("widget broke", rebuilt.RemoteMessage);
        Assert.Equal("task Widget.Run on node B", rebuilt.Origin);
        Assert.Contains("Widget.Run", rebuilt.StackTrace);
    }

    [Fact]
    public void Exception_bytes_naming_a_missing_type_fall_back_to_the_type_name()
    {
        var original = Caught<CustomException>(() => throw new CustomException("c"));
        var error = S.ToRemoteError(original, null);
        // A reader where the exception's assembly is not loaded: its name does not resolve.
        var bytes = error.Exception!;
        var name = System.Text.Encoding.UTF8.GetBytes(nameof(CustomException));
        int at = bytes.AsSpan().IndexOf(name);
        bytes[at] = (byte)'X';
        var broken = new RemoteError { TypeName = "Nowhere.XustomException", Message = error.Message, StackTrace = error.StackTrace, Exception = bytes };
        var rebuilt = Assert.IsType<GridTaskException>(S.ToException(broken));
        Assert.Equal("c", rebuilt.RemoteMessage);

        // Without the bytes but with a type name that exists here, the type is rebuilt from the text.
        var textOnly = new RemoteError { TypeName = typeof(TimeoutException).FullName!, Message = "slow", StackTrace = "   at Remote.Place()" };
        var timeout = Assert.IsType<TimeoutException>(S.ToException(textOnly));
        Assert.Equal("slow", timeout.Message);
        Assert.Contains("Remote.Place", timeout.StackTrace);
    }

    [Fact]
    public void Grid_exceptions_round_trip_with_their_readonly_properties()
    {
        var original = new GridTaskException("Some.RemoteError", "it broke", "   at Some.Place()", "task X on node Y");
        var rebuilt = Assert.IsType<GridTaskException>(S.ToException(S.ToRemoteError(original, "driver")));
        Assert.Equal("Some.RemoteError", rebuilt.RemoteType);
        Assert.Equal("it broke", rebuilt.RemoteMessage);
        Assert.Equal("task X on node Y", rebuilt.Origin);
        Assert.Equal(original.Message, rebuilt.Message);
        Assert.Equal("driver", rebuilt.Data[GridSerializer.OriginDataKey]);

        var died = Assert.IsType<ActorDiedException>(S.ToException(S.ToRemoteError(new ActorDiedException("gone", new TimeoutException("t")), null)));
        Assert.Equal("gone", died.Message);
        Assert.IsType<TimeoutException>(died.InnerException);
    }

    [Fact]
    public void Never_thrown_exception_round_trips()
    {
        var error = S.ToRemoteError(new NotSupportedException("fresh"), "here");
        Assert.Null(error.StackTrace);
        var rebuilt = S.ToException(error);
        Assert.IsType<NotSupportedException>(rebuilt);
        Assert.Equal("fresh", rebuilt.Message);
    }
}
