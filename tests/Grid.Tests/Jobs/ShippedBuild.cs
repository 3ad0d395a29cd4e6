using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Grid.Tests.Jobs;

/// <summary>
/// One build of a small application assembly, compiled here with Roslyn and loaded into its own
/// load context of the test process, as a separate program would have it. Builds share their
/// assembly name and version and differ in what they return, so a node that mixed them up would show.
/// </summary>
public sealed class ShippedBuild
{
    private static readonly Lazy<ShippedBuild> LazyV1 = new(() => Compile("ShippedTasks", "v1"));
    private static readonly Lazy<ShippedBuild> LazyV2 = new(() => Compile("ShippedTasks", "v2"));
    private static readonly Lazy<ShippedBuild> LazyV3 = new(() => Compile("ShippedTasks", "v3"));
    private static readonly Lazy<ShippedBuild> LazyUnshipped = new(() => Compile("UnshippedTasks", "u1"));

    public static ShippedBuild V1 => LazyV1.Value;
    public static ShippedBuild V2 => LazyV2.Value;
    /// <summary>Used by one test only, so its upload count is not disturbed by others.</summary>
    public static ShippedBuild V3 => LazyV3.Value;
    /// <summary>Another assembly that no job ships.</summary>
    public static ShippedBuild Unshipped => LazyUnshipped.Value;

    private ShippedBuild(Assembly assembly, string version)
    {
        Assembly = assembly;
        Version = version;
    }

    public Assembly Assembly { get; }
    public string Version { get; }

    private Type Tasks => Assembly.GetType(Assembly.GetName().Name + ".Tasks", throwOnError: true)!;

    /// <summary>A static function returning the build's version.</summary>
    public Func<string> VersionFunction => Tasks.GetMethod("Version")!.CreateDelegate<Func<string>>();

    /// <summary>Describes the first item, a Stamp, as the running build sees it.</summary>
    public Func<object[], string> DescribeFunction => Tasks.GetMethod("Describe")!.CreateDelegate<Func<object[], string>>();

    /// <summary>A user record of this build.</summary>
    public object NewStamp(int value) => Activator.CreateInstance(Assembly.GetType("ShippedTasks.Stamp", throwOnError: true)!, Version, value)!;

    /// <summary>() => new Counter(start), an actor of this build (reached through a framework interface).</summary>
    public Expression<Func<ICustomFormatter>> NewCounter(int start)
    {
        var ctor = Assembly.GetType("ShippedTasks.Counter", throwOnError: true)!.GetConstructor([typeof(int)])!;
        return Expression.Lambda<Func<ICustomFormatter>>(Expression.New(ctor, Expression.Constant(start)));
    }

    private static ShippedBuild Compile(string assemblyName, string version)
    {
        var source = $$"""
            using System;
            [assembly: System.Reflection.AssemblyVersion("1.0.0.0")]
            namespace {{assemblyName}}
            {
                public static class Tasks
                {
                    public static string Version() => "{{version}}";

                    public static string Describe(object[] items) =>
                        items[0] is ShippedTasks.Stamp s ? $"{{version}} read {s.Version}:{s.Value}" : $"{{version}} read a foreign {items[0]?.GetType().AssemblyQualifiedName}";
                }
            }
            namespace ShippedTasks
            {
                public sealed record Stamp(string Version, int Value);

                public sealed class Counter : ICustomFormatter
                {
                    private int _total;
                    public Counter(int start) => _total = start;
                    public string Format(string? format, object? arg, IFormatProvider? provider)
                    {
                        _total += (int)arg!;
                        return $"{{version}}:{_total}";
                    }
                }
            }
            """;
        var framework = RuntimeEnvironment.GetRuntimeDirectory();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.StartsWith(framework, StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(assemblyName, [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var directory = Path.Combine(Path.GetTempPath(), "grid-codeship-tests", Guid.NewGuid().ToString("N")[..8], version);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, assemblyName + ".dll");
        var result = compilation.Emit(path);
        if (!result.Success)
            throw new InvalidOperationException("The test build does not compile: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var context = new AssemblyLoadContext($"test-{assemblyName}-{version}");
        return new ShippedBuild(context.LoadFromAssemblyPath(path), version);
    }
}
