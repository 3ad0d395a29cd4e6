using Grid.Silo.Gcs;
using Grid.Wire;
using static Grid.Gcs.Tests.Contract.GcsRecords;

namespace Grid.Gcs.Tests.Contract;

/// <summary>
/// What every <see cref="IGcs"/> must do, run against each implementation by a subclass. Where the
/// contract is about several processes (racing registrations, a waiter woken by another's update),
/// the tests use a second connection to the same store from <see cref="ConnectAnotherAsync"/>.
/// </summary>
public abstract partial class GcsContractTests : IAsyncLifetime
{
    protected const int EventCapacity = 5;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private protected IGcs Gcs { get; private set; } = null!;

    /// <summary>A fresh, empty store keeping at most <paramref name="taskEventCapacity"/> task events.</summary>
    private protected abstract Task<IGcs> CreateAsync(int taskEventCapacity);

    /// <summary>Another client of the store that <see cref="CreateAsync"/> made (another process, for a real cluster).</summary>
    private protected abstract Task<IGcs> ConnectAnotherAsync();

    public async Task InitializeAsync() => Gcs = await CreateAsync(EventCapacity);

    public virtual Task DisposeAsync() => Task.CompletedTask;

    // ---- nodes

    [Fact]
    public async Task Upserted_node_is_listed_with_everything_it_declared()
    {
        var node = Node(cpus: 8, available: 6);
        await Gcs.UpsertNodeAsync(node);

        var listed = Assert.Single(await Gcs.GetNodesAsync());
        Assert.Equal(node.NodeId, listed.NodeId);
        Assert.Equal(node.Total, listed.Total);
        Assert.Equal(node.Available, listed.Available);
        Assert.Equal("a", listed.Labels["zone"]);
        Assert.Equal(NodeState.Alive, listed.State);
        Assert.Equal("127.0.0.1:30000", listed.GatewayAddress);
        Assert.Equal("test-host", listed.HostName);
    }

    [Fact]
    public async Task Upserting_a_node_again_refreshes_it()
    {
        var node = Node(cpus: 4, available: 4);
        await Gcs.UpsertNodeAsync(node);
        var later = node with { Available = Node(available: 1).Available, LastHeartbeat = node.LastHeartbeat.AddSeconds(5), QueuedTasks = 3 };
        await Gcs.UpsertNodeAsync(later);

        var listed = Assert.Single(await Gcs.GetNodesAsync());
        Assert.Equal(later.Available, listed.Available);
        Assert.Equal(later.LastHeartbeat, listed.LastHeartbeat);
        Assert.Equal(3, listed.QueuedTasks);
    }

    [Fact]
    public async Task A_dead_node_stays_dead_when_a_late_heartbeat_arrives()
    {
        var node = Node();
        var other = Node();
        await Gcs.UpsertNodeAsync(node);
        await Gcs.UpsertNodeAsync(other);

        await Gcs.MarkNodeDeadAsync(node.NodeId);
        await Gcs.UpsertNodeAsync(node with { LastHeartbeat = DateTimeOffset.UtcNow.AddMinutes(1) });

        var nodes = (await Gcs.GetNodesAsync()).ToDictionary(n => n.NodeId);
        Assert.Equal(NodeState.Dead, nodes[node.NodeId].State);
        Assert.Equal(NodeState.Alive, nodes[other.NodeId].State);
    }

    [Fact]
    public async Task Marking_an_unknown_node_dead_changes_nothing()
    {
        var node = Node();
        await Gcs.MarkNodeDeadAsync(node.NodeId);
        Assert.Empty(await Gcs.GetNodesAsync());

        await Gcs.UpsertNodeAsync(node);
        Assert.Equal(NodeState.Alive, Assert.Single(await Gcs.GetNodesAsync()).State);
    }

    // ---- actors

    [Fact]
    public async Task Registered_actor_can_be_read_updated_and_listed()
    {
        var actor = Actor();
        var registered = await Gcs.RegisterActorAsync(actor);
        Assert.Equal(actor.ActorId, registered.ActorId);

        var read = await Gcs.GetActorAsync(actor.ActorId);
        Assert.NotNull(read);
        Assert.Equal(ActorState.Pending, read.State);
        Assert.Equal("Tests.Counter", read.ClassName);

        var node = Node().NodeId;
        await Gcs.UpdateActorAsync(actor with { State = ActorState.Alive, Node = node, RestartCount = 1 });
        read = await Gcs.GetActorAsync(actor.ActorId);
        Assert.Equal(ActorState.Alive, read!.State);
        Assert.Equal(node, read.Node);
        Assert.Equal(1, read.RestartCount);

        var second = Actor();
        await Gcs.RegisterActorAsync(second);
        var listed = (await Gcs.GetActorsAsync()).Select(a => a.ActorId.Value).Order().ToArray();
        Assert.Equal(new[] { actor.ActorId.Value, second.ActorId.Value }.Order(), listed);
    }

    [Fact]
    public async Task Unknown_actors_and_names_read_as_null()
    {
        Assert.Null(await Gcs.GetActorAsync(ActorId.New()));
        Assert.Null(await Gcs.GetNamedActorAsync("default", "nobody"));
    }

    [Fact]
    public async Task A_name_taken_by_a_live_actor_returns_that_actor()
    {
        var first = await Gcs.RegisterActorAsync(Actor("counter"));
        var second = await Gcs.RegisterActorAsync(Actor("counter"));

        Assert.Equal(first.ActorId, second.ActorId);
        Assert.Equal(first.ActorId, (await Gcs.GetNamedActorAsync("default", "counter"))!.ActorId);
        Assert.Single(await Gcs.GetActorsAsync());
    }

    [Fact]
    public async Task Names_are_per_namespace()
    {
        var a = await Gcs.RegisterActorAsync(Actor("counter", ns: "a"));
        var b = await Gcs.RegisterActorAsync(Actor("counter", ns: "b"));

        Assert.NotEqual(a.ActorId, b.ActorId);
        Assert.Equal(a.ActorId, (await Gcs.GetNamedActorAsync("a", "counter"))!.ActorId);
        Assert.Equal(b.ActorId, (await Gcs.GetNamedActorAsync("b", "counter"))!.ActorId);
        Assert.Null(await Gcs.GetNamedActorAsync("default", "counter"));
    }

    [Fact]
    public async Task Owned_actors_are_found_by_their_owner_in_their_current_state()
    {
        var owner = await Gcs.RegisterActorAsync(Actor());
        var child = await Gcs.RegisterActorAsync(Actor() with { OwnerActor = owner.ActorId, Lifetime = ActorLifetime.Detached });
        var named = await Gcs.RegisterActorAsync(Actor("owned") with { OwnerActor = owner.ActorId });
        await Gcs.RegisterActorAsync(Actor("owned") with { OwnerActor = owner.ActorId }); // the name is taken: not registered
        await Gcs.RegisterActorAsync(Actor()); // owned by the job
        await Gcs.UpdateActorAsync(child with { State = ActorState.Dead, DeathCause = "killed" });

        var owned = await Gcs.GetOwnedActorsAsync(owner.ActorId);

        Assert.Equal(new[] { child.ActorId, named.ActorId }.OrderBy(id => id.Value), owned.Select(a => a.ActorId).OrderBy(id => id.Value));
        var read = owned.Single(a => a.ActorId == child.ActorId);
        Assert.Equal((ActorState.Dead, ActorLifetime.Detached, (ActorId?)owner.ActorId), (read.State, read.Lifetime, read.OwnerActor));
        Assert.Empty(await Gcs.GetOwnedActorsAsync(child.ActorId));
    }

    [Fact]
    public async Task A_dead_actor_frees_its_name()
    {
        var first = await Gcs.RegisterActorAsync(Actor("counter"));
        await Gcs.UpdateActorAsync(first with { State = ActorState.Dead, DeathCause = "killed" });

        var replacement = Actor("counter");
        var registered = await Gcs.RegisterActorAsync(replacement);

        Assert.Equal(replacement.ActorId, registered.ActorId);
        Assert.Equal(replacement.ActorId, (await Gcs.GetNamedActorAsync("default", "counter"))!.ActorId);
        Assert.Equal(ActorState.Dead, (await Gcs.GetActorAsync(first.ActorId))!.State);
    }

    [Fact]
    public async Task A_dead_actor_releases_its_name_at_once()
    {
        var first = await Gcs.RegisterActorAsync(Actor("counter"));
        await Gcs.UpdateActorAsync(first with { State = ActorState.Dead, DeathCause = "its node died" });

        Assert.Null(await Gcs.GetNamedActorAsync("default", "counter"));
        Assert.Equal("its node died", (await Gcs.GetActorAsync(first.ActorId))!.DeathCause);
    }

    [Fact]
    public async Task A_late_dead_write_of_an_old_actor_leaves_the_name_with_its_new_holder()
    {
        var first = await Gcs.RegisterActorAsync(Actor("counter"));
        await Gcs.UpdateActorAsync(first with { State = ActorState.Dead });
        var second = await Gcs.RegisterActorAsync(Actor("counter"));

        await Gcs.UpdateActorAsync(first with { State = ActorState.Dead, DeathCause = "written twice" });

        Assert.Equal(second.ActorId, (await Gcs.GetNamedActorAsync("default", "counter"))!.ActorId);
    }

    [Fact]
    public async Task Of_racing_conditional_updates_of_one_incarnation_exactly_one_wins()
    {
        var node = Node().NodeId;
        var alive = (await Gcs.RegisterActorAsync(Actor("worker"))) with { State = ActorState.Alive, Node = node };
        await Gcs.UpdateActorAsync(alive);
        var clients = new List<IGcs> { Gcs };
        for (var i = 0; i < 3; i++) clients.Add(await ConnectAnotherAsync());

        // Every node that saw the actor's node die tries to start restart number 1; one decision stands.
        var wins = await Task.WhenAll(clients.Select((c, i) => Task.Run(() => c.TryUpdateActorAsync(alive,
            alive with { State = ActorState.Restarting, RestartCount = 1, Node = new NodeId($"restarter-{i}") })))).WaitAsync(Patience);

        Assert.Equal(1, wins.Count(w => w));
        var stored = (await Gcs.GetActorAsync(alive.ActorId))!;
        Assert.Equal(ActorState.Restarting, stored.State);
        Assert.Equal(1, stored.RestartCount);
        Assert.Equal("worker", (await Gcs.GetNamedActorAsync("default", "worker"))!.Name); // the name stays through a restart
        Assert.False(await Gcs.TryUpdateActorAsync(alive, alive with { State = ActorState.Dead }));
    }

    [Fact]
    public async Task Waiting_for_placement_waits_while_the_actor_restarts()
    {
        var node = Node().NodeId;
        var actor = await Gcs.RegisterActorAsync(Actor());
        var restarting = actor with { State = ActorState.Restarting, RestartCount = 1 };
        await Gcs.UpdateActorAsync(restarting);
        var wait = Gcs.WaitActorPlacedAsync(actor.ActorId, CancellationToken.None);
        Assert.False(wait.IsCompleted);

        Assert.True(await (await ConnectAnotherAsync()).TryUpdateActorAsync(restarting, restarting with { State = ActorState.Alive, Node = node }));

        var placed = await wait.WaitAsync(Patience);
        Assert.Equal((ActorState.Alive, 1, node), (placed.State, placed.RestartCount, placed.Node));
    }

    [Fact]
    public async Task Racing_registrations_of_one_name_from_several_clients_get_one_actor()
    {
        var clients = new List<IGcs> { Gcs };
        for (var i = 0; i < 3; i++) clients.Add(await ConnectAnotherAsync());

        var candidates = Enumerable.Range(0, 20).Select(_ => Actor("singleton")).ToArray();
        using var start = new SemaphoreSlim(0);
        var racers = candidates.Select((actor, i) => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await clients[i % clients.Count].RegisterActorAsync(actor);
        })).ToArray();
        start.Release(racers.Length);
        var results = await Task.WhenAll(racers).WaitAsync(Patience);

        var winner = Assert.Single(results.Select(r => r.ActorId).Distinct());
        Assert.Contains(winner, candidates.Select(c => c.ActorId));
        Assert.Equal(winner, Assert.Single(await Gcs.GetActorsAsync()).ActorId);
        Assert.Equal(winner, (await Gcs.GetNamedActorAsync("default", "singleton"))!.ActorId);
    }

    [Fact]
    public async Task Waiting_for_placement_completes_when_another_client_places_the_actor()
    {
        var actor = await Gcs.RegisterActorAsync(Actor());
        var wait = Gcs.WaitActorPlacedAsync(actor.ActorId, CancellationToken.None);
        Assert.False(wait.IsCompleted);

        var node = Node().NodeId;
        var placer = await ConnectAnotherAsync();
        await placer.UpdateActorAsync(actor with { State = ActorState.Pending, PendingReason = "waiting for resources: GPU" });
        await placer.UpdateActorAsync(actor with { State = ActorState.Alive, Node = node });

        var placed = await wait.WaitAsync(Patience);
        Assert.Equal(ActorState.Alive, placed.State);
        Assert.Equal(node, placed.Node);
    }

    [Fact]
    public async Task Several_waiters_for_one_actor_all_see_it_placed()
    {
        var actor = await Gcs.RegisterActorAsync(Actor());
        var other = await ConnectAnotherAsync();
        var waits = Enumerable.Range(0, 5)
            .Select(i => (i % 2 == 0 ? Gcs : other).WaitActorPlacedAsync(actor.ActorId, CancellationToken.None)).ToArray();

        await Gcs.UpdateActorAsync(actor with { State = ActorState.Alive, Node = Node().NodeId });

        var placed = await Task.WhenAll(waits).WaitAsync(Patience);
        Assert.All(placed, p => Assert.Equal(ActorState.Alive, p.State));
    }

    [Fact]
    public async Task Waiting_for_placement_completes_at_once_for_a_placed_actor()
    {
        var actor = await Gcs.RegisterActorAsync(Actor());
        await Gcs.UpdateActorAsync(actor with { State = ActorState.Alive, Node = Node().NodeId });

        var placed = await Gcs.WaitActorPlacedAsync(actor.ActorId, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(ActorState.Alive, placed.State);
    }

    [Fact]
    public async Task Waiting_for_placement_completes_when_the_actor_dies_instead()
    {
        var actor = await Gcs.RegisterActorAsync(Actor());
        var wait = Gcs.WaitActorPlacedAsync(actor.ActorId, CancellationToken.None);

        await (await ConnectAnotherAsync()).UpdateActorAsync(actor with { State = ActorState.Dead, DeathCause = "constructor failed" });

        var dead = await wait.WaitAsync(Patience);
        Assert.Equal(ActorState.Dead, dead.State);
        Assert.Equal("constructor failed", dead.DeathCause);
    }

    [Fact]
    public async Task Waiting_for_an_unknown_actor_fails_with_ActorNotFoundException()
    {
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Gcs.WaitActorPlacedAsync(ActorId.New(), CancellationToken.None));
    }

    [Fact]
    public async Task Waiting_for_placement_can_be_cancelled()
    {
        var actor = await Gcs.RegisterActorAsync(Actor());
        using var cancel = new CancellationTokenSource();
        var wait = Gcs.WaitActorPlacedAsync(actor.ActorId, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Patience));
    }

    // ---- jobs

    [Fact]
    public async Task Jobs_are_added_listed_and_finished_once()
    {
        var job = Job();
        var other = Job();
        await Gcs.AddJobAsync(job);
        await Gcs.AddJobAsync(other);

        Assert.Equal(2, (await Gcs.GetJobsAsync()).Length);
        var read = await Gcs.GetJobAsync(job.JobId);
        Assert.Equal(JobStatus.Running, read!.Status);
        Assert.Equal("abc123", read.CodePackage);
        Assert.Null(read.EndTime);

        await Gcs.FinishJobAsync(job.JobId, JobStatus.Succeeded);
        await Gcs.FinishJobAsync(job.JobId, JobStatus.Failed);

        read = await Gcs.GetJobAsync(job.JobId);
        Assert.Equal(JobStatus.Succeeded, read!.Status);
        Assert.NotNull(read.EndTime);
        Assert.Equal(JobStatus.Running, (await Gcs.GetJobAsync(other.JobId))!.Status);
    }

    [Fact]
    public async Task Finishing_an_unknown_job_is_a_no_op()
    {
        var id = JobId.New();
        await Gcs.FinishJobAsync(id, JobStatus.Stopped);
        Assert.Null(await Gcs.GetJobAsync(id));
        Assert.Empty(await Gcs.GetJobsAsync());
    }

    [Fact]
    public async Task A_running_job_with_a_driver_holds_a_lease_that_counts_renewals_until_it_ends()
    {
        var driven = Job() with { Owner = GrainId.Create("test-owner", "driver") };
        var ownerless = Job();
        await Gcs.AddJobAsync(driven);
        await Gcs.AddJobAsync(ownerless);
        Assert.Equal(0, Assert.Single(await Gcs.GetJobLeasesAsync(), l => l.Key == driven.JobId).Value);

        await Gcs.RenewJobLeaseAsync(driven.JobId);
        await Gcs.RenewJobLeaseAsync(driven.JobId);
        await Gcs.RenewJobLeaseAsync(ownerless.JobId); // no lease: nothing to renew

        var other = await ConnectAnotherAsync();
        var leases = await other.GetJobLeasesAsync();
        Assert.Equal(2, leases[driven.JobId]);
        Assert.False(leases.ContainsKey(ownerless.JobId));
        Assert.Equal(driven.Owner, (await other.GetJobAsync(driven.JobId))!.Owner);

        // The job's end drops its lease, and a late renewal does not bring it back.
        await Gcs.FinishJobAsync(driven.JobId, JobStatus.Failed);
        await Gcs.RenewJobLeaseAsync(driven.JobId);
        Assert.Empty(await other.GetJobLeasesAsync());
    }

    // ---- placement groups

    [Fact]
    public async Task A_placement_group_record_is_replaced_at_each_change_and_read_by_another_client()
    {
        var cpu = ResourceSet.From([KeyValuePair.Create(ResourceSet.Cpu, 1.0)]);
        var group = new PlacementGroupInfo { Id = PlacementGroupId.New(), Name = "training", Bundles = [cpu, cpu], Strategy = PlacementGroupStrategy.StrictSpread };
        var other = await ConnectAnotherAsync();
        Assert.Null(await other.GetPlacementGroupAsync(group.Id));

        await Gcs.PutPlacementGroupAsync(group);
        await Gcs.PutPlacementGroupAsync(group with { State = PlacementGroupState.Created, BundleNodes = [new NodeId("a"), new NodeId("b")] });
        await Gcs.PutPlacementGroupAsync(group with { State = PlacementGroupState.Rescheduling, BundleNodes = [new NodeId("a"), new NodeId("c")] });

        var read = (await other.GetPlacementGroupAsync(group.Id))!;
        Assert.Equal(PlacementGroupState.Rescheduling, read.State);
        Assert.Equal(["a", "c"], read.BundleNodes.Select(n => n.Value));
        Assert.Equal([cpu, cpu], read.Bundles);
        Assert.Equal(("training", PlacementGroupStrategy.StrictSpread), (read.Name, read.Strategy));
        Assert.Equal(group.Id, Assert.Single(await other.GetPlacementGroupsAsync()).Id);
    }

    // ---- code packages

    [Fact]
    public async Task A_code_package_is_stored_once_per_hash()
    {
        Assert.False(await Gcs.HasCodePackageAsync("h1"));
        Assert.Null(await Gcs.GetCodePackageAsync("h1"));

        await Gcs.PutCodePackageAsync("h1", new byte[] { 1, 2, 3 });
        await Gcs.PutCodePackageAsync("h1", new byte[] { 9, 9 });
        await Gcs.PutCodePackageAsync("h2", new byte[] { 4 });

        Assert.True(await Gcs.HasCodePackageAsync("h1"));
        Assert.Equal(new byte[] { 1, 2, 3 }, await Gcs.GetCodePackageAsync("h1"));
        Assert.Equal(new byte[] { 4 }, await Gcs.GetCodePackageAsync("h2"));
    }

    [Fact]
    public async Task A_large_code_package_round_trips()
    {
        var package = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(package);
        await Gcs.PutCodePackageAsync("big", package);
        Assert.Equal(package, await (await ConnectAnotherAsync()).GetCodePackageAsync("big"));
    }

    // ---- object directory

    [Fact]
    public async Task Object_locations_are_added_and_removed_per_node()
    {
        var id = ObjectId.New();
        var a = Node().NodeId;
        var b = Node().NodeId;
        Assert.Null(await Gcs.GetObjectLocationsAsync(id));

        await Gcs.AddObjectLocationAsync(id, a, 5_000_000);
        await Gcs.AddObjectLocationAsync(id, b, 5_000_000);
        await Gcs.AddObjectLocationAsync(id, a, 5_000_000);

        var locations = await Gcs.GetObjectLocationsAsync(id);
        Assert.Equal(id, locations!.ObjectId);
        Assert.Equal(5_000_000, locations.Size);
        Assert.Equal(new[] { a, b }.OrderBy(n => n.Value), locations.Nodes.OrderBy(n => n.Value));

        await Gcs.RemoveObjectLocationAsync(id, a);
        Assert.Equal([b], (await Gcs.GetObjectLocationsAsync(id))!.Nodes);

        await Gcs.RemoveObjectLocationAsync(id, b);
        Assert.Null(await Gcs.GetObjectLocationsAsync(id));
    }

    [Fact]
    public async Task A_removed_object_is_forgotten_everywhere()
    {
        var id = ObjectId.New();
        var kept = ObjectId.New();
        await Gcs.AddObjectLocationAsync(id, Node().NodeId, 10);
        await Gcs.AddObjectLocationAsync(id, Node().NodeId, 10);
        await Gcs.AddObjectLocationAsync(kept, Node().NodeId, 20);

        await Gcs.RemoveObjectAsync(id);

        Assert.Null(await Gcs.GetObjectLocationsAsync(id));
        Assert.Equal(20, (await Gcs.GetObjectLocationsAsync(kept))!.Size);
    }

    // ---- task events

    [Fact]
    public async Task Task_events_keep_the_newest_up_to_capacity_in_order()
    {
        var events = Enumerable.Range(0, 8).Select(Event).ToArray();
        await Gcs.AddTaskEventsAsync(events[..3]);
        await Gcs.AddTaskEventsAsync([]);
        await Gcs.AddTaskEventsAsync(events[3..]);

        Assert.Equal(events[^EventCapacity..].Select(e => e.Function), (await Gcs.GetTaskEventsAsync(100)).Select(e => e.Function));
        Assert.Equal(["f6", "f7"], (await Gcs.GetTaskEventsAsync(2)).Select(e => e.Function));
        Assert.Empty(await Gcs.GetTaskEventsAsync(0));
    }

    [Fact]
    public async Task Task_events_keep_their_fields()
    {
        var node = Node().NodeId;
        var failed = Event(1) with { Kind = TaskEventKind.Failed, Node = node, Error = "boom" };
        await Gcs.AddTaskEventsAsync([failed]);

        var read = Assert.Single(await (await ConnectAnotherAsync()).GetTaskEventsAsync(10));
        Assert.Equal(failed.TaskId, read.TaskId);
        Assert.Equal(TaskEventKind.Failed, read.Kind);
        Assert.Equal(node, read.Node);
        Assert.Equal("boom", read.Error);
        Assert.Equal(failed.Time, read.Time);
    }
}
