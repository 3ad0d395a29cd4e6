using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using Grid.ObjectStore;
using Grid.Silo;
using Grid.Silo.Gcs;
using Grid.Silo.Raylet;
using Grid.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Grid.Unit.Tests;

/// <summary>
/// One node's <see cref="SchedulingPolicy"/> built from the real pieces a silo gives it — its raylet (<see cref="NodeScheduler"/>)
/// and its <see cref="ClusterView"/> of the other nodes — but with no silo: the view reads the other nodes' records once
/// from an in-memory GCS, and membership counts every node alive. So each test states exactly what the local ledger
/// holds and what the view says of the others, and asks the policy where work goes.
/// </summary>
internal sealed class PolicyHarness : IAsyncDisposable
{
    private readonly ServiceProvider _orleans;
    private readonly LocalObjectStore _store;
    private readonly ObjectManager _objects;
    private readonly ClusterView _view;

    private PolicyHarness(ServiceProvider orleans, LocalObjectStore store, ObjectManager objects, NodeScheduler raylet, ClusterView view, SchedulingPolicy policy)
    {
        _orleans = orleans;
        _store = store;
        _objects = objects;
        Raylet = raylet;
        _view = view;
        Policy = policy;
    }

    public NodeScheduler Raylet { get; }
    public SchedulingPolicy Policy { get; }
    public NodeId Local => Raylet.Node;

    /// <summary>
    /// Node <paramref name="n"/>'s id: a silo address (the view checks node ids against membership), 10.0.0.n, so that ids
    /// sort by <paramref name="n"/> (SPREAD goes round them in id order).
    /// </summary>
    public static NodeId Id(int n) => new(Address(n).ToParsableString());

    private static SiloAddress Address(int n) => SiloAddress.New(new IPEndPoint(IPAddress.Parse($"10.0.0.{n}"), 11111), 1);

    /// <summary>What the view says of another node: its totals and what is free, its labels, its queue.</summary>
    public static NodeInfo Node(int n, ResourceSet total, ResourceSet? available = null, IReadOnlyDictionary<string, string>? labels = null, int queued = 0) => new()
    {
        NodeId = Id(n),
        Total = total,
        Available = available ?? total,
        Labels = labels ?? new Dictionary<string, string>(),
        QueuedTasks = queued,
    };

    /// <summary>Node <paramref name="local"/>'s policy, its node declaring <paramref name="node"/>, with <paramref name="others"/> in its view.</summary>
    public static async Task<PolicyHarness> StartAsync(int local, Action<GridNodeOptions> node, params NodeInfo[] others)
    {
        var options = new GridNodeOptions
        {
            // The view is read once, at start: no refresh may change what a test set up.
            ResourceReportInterval = TimeSpan.FromDays(1),
        };
        node(options);

        // An Orleans client's services, never started (nothing connects): its grain factory is what the node's core
        // worker needs to name its owner endpoint. The policy never calls a grain.
        var orleans = new ServiceCollection().AddOrleansClient(client => client.UseLocalhostClustering()).BuildServiceProvider();
        var grains = NamingGrainFactory.Over(orleans.GetRequiredService<IGrainFactory>());
        var storeOptions = Options.Create(new ObjectStoreOptions { CapacityBytes = 1 << 20 });
        var store = new LocalObjectStore(storeOptions, NullLogger<LocalObjectStore>.Instance);
        var objects = new ObjectManager(grains, store, storeOptions, NullLogger<ObjectManager>.Instance);
        var runtime = new NodeRuntime(new SiloDetails(Address(local)), Options.Create(options), grains, store, objects, NullLoggerFactory.Instance);
        var raylet = new NodeScheduler(runtime, NullLogger<NodeScheduler>.Instance);

        var gcs = new InMemoryGcs();
        foreach (var other in others) await gcs.UpsertNodeAsync(other);
        var view = new ClusterView(gcs, raylet, runtime, new EveryoneAlive(), NullLogger<ClusterView>.Instance);
        await view.StartAsync();
        return new PolicyHarness(orleans, store, objects, raylet, view, new SchedulingPolicy(raylet, view, runtime));
    }

    /// <summary>Takes <paramref name="need"/> from the local ledger, as running work does, until the lease is disposed.</summary>
    public async Task<ResourceLease> HoldAsync(ResourceSet need) => await Raylet.AcquireAsync(need, "a test's running work");

    public async ValueTask DisposeAsync()
    {
        _view.Dispose();
        _objects.Dispose();
        _store.Dispose();
        await _orleans.DisposeAsync();
    }

    /// <summary>
    /// A grain factory that names grains by key without asking the cluster which class implements an interface: the
    /// client never connected, so its cluster manifest knows no grain class. Every other call goes to the real factory.
    /// </summary>
    public class NamingGrainFactory : DispatchProxy
    {
        // IGrainFactory.GetGrain<TGrainInterface>(GrainId): a reference to that exact grain, no class lookup.
        private static readonly MethodInfo ByGrainId = typeof(IGrainFactory).GetMethods()
            .Single(m => m is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethodDefinition: true } && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(GrainId));

        private IGrainFactory _inner = null!;

        public static IGrainFactory Over(IGrainFactory inner)
        {
            var factory = Create<IGrainFactory, NamingGrainFactory>();
            ((NamingGrainFactory)(object)factory)._inner = inner;
            return factory;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(method);
            // GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix): a reference by grain id instead.
            if (method is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && args is [string key, _])
            {
                var type = method.GetGenericArguments()[0];
                return ByGrainId.MakeGenericMethod(type).Invoke(_inner, [GrainId.Create(type.Name.ToLowerInvariant(), key)]);
            }
            try { return method.Invoke(_inner, args); }
            catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
        }
    }

    private sealed class SiloDetails(SiloAddress address) : ILocalSiloDetails
    {
        public string Name => "policy-test";
        public string ClusterId => "policy-test";
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress => address;
        // A silo without a client gateway (NodeRuntime publishes none then).
        public SiloAddress GatewayAddress => null!;
    }

    /// <summary>A membership that has heard of no node, so the view counts every node the GCS lists alive (see ClusterView.IsMember).</summary>
    private sealed class EveryoneAlive : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot { get; } =
            new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty, MembershipVersion.MinValue);

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }
}
