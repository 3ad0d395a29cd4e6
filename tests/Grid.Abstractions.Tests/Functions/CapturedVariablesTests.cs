using Grid.Functions;

namespace Grid.Abstractions.Tests.Functions;

/// <summary>
/// The capturing-lambda error names exactly the variables the refused lambda uses, not every variable its scope's
/// closure holds for other lambdas.
/// </summary>
public sealed class CapturedVariablesTests
{
    private readonly int _field = 7;

    [Fact]
    public void The_error_names_only_the_variables_the_lambda_captures()
    {
        var offset = 3;
        var scale = 2;
        var unrelated = "x";
        var alsoUnrelated = 4.5;
        Func<string> other = () => unrelated + alsoUnrelated; // shares the closure class
        Func<int, int> f = x => x * scale + offset;

        var e = Assert.Throws<CapturingLambdaException>(() => FunctionCatalog.DescribeDelegate(f));

        Assert.Contains("captures scale, offset,", e.Message);
        Assert.DoesNotContain("unrelated", e.Message);
        Assert.DoesNotContain("alsoUnrelated", e.Message);
        Assert.NotNull(other());
    }

    [Fact]
    public void Variables_of_enclosing_scopes_and_this_are_named_through_the_closure_chain()
    {
        var outer = 1;
        Func<int, int>? f = null;
        for (var i = 0; i < 1; i++)
        {
            var inner = i;
            f = x => x + outer + inner + _field;
        }

        var e = Assert.Throws<CapturingLambdaException>(() => FunctionCatalog.DescribeDelegate(f!));

        Assert.Contains("inner", e.Message);
        Assert.Contains("outer", e.Message);
        Assert.Contains("this", e.Message);
    }

    [Fact]
    public void An_async_lambda_names_what_its_body_reads()
    {
        var delay = 1;
        var unused = new object();
        Func<object> keep = () => unused;
        Func<int, Task<int>> f = async x => { await Task.Yield(); return x + delay; };

        var e = Assert.Throws<CapturingLambdaException>(() => FunctionCatalog.DescribeDelegate(f));

        Assert.Contains("captures delay,", e.Message);
        Assert.DoesNotContain("unused", e.Message);
        Assert.NotNull(keep());
    }

    [Fact]
    public void Static_lambdas_are_accepted()
    {
        Func<int, int> f = static x => x + 1;
        Assert.Equal(f.Method.Name, FunctionCatalog.DescribeDelegate(f).MethodName);
    }
}
