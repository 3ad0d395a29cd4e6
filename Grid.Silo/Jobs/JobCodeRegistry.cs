using Grid.Silo.Diagnostics;
using System.Collections.Concurrent;
using System.Diagnostics;
using Grid.Grains;
using Grid.Jobs;
using Grid.Silo.Gcs;
using Grid.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Jobs;

/// <summary>How a node treats shipped job code.</summary>
internal sealed class JobCodeNodeOptions
{
    /// <summary>
    /// Load the code packages jobs ship. The embedded mode turns this off: its one client runs in
    /// the silo's process and ships nothing, so every job uses the default context at no cost.
    /// </summary>
    public bool LoadJobCode { get; set; } = true;
}

/// <summary>
/// The jobs whose code this node has loaded. A job's package is fetched from the GCS and loaded on
/// its first task or actor here (jobs without a package use the default context), with the job's environment
/// variables from the same record, and dropped when
/// the GCS grain reports the job's end: its actors here are killed, the serializer and function
/// catalog forget its types, and its load context is unloaded.
/// </summary>
internal sealed class JobCodeRegistry(IGcs gcs, IGrainFactory grains, IOptions<JobCodeNodeOptions> options, ILogger<JobCodeRegistry> logger)
{
    private readonly bool _enabled = options.Value.LoadJobCode;
    private readonly ConcurrentDictionary<JobId, Lazy<Task<LoadedJob>>> _jobs = new();
    private readonly ConcurrentDictionary<JobId, byte> _ended = new();

    /// <summary>Jobs whose code is loaded here now.</summary>
    public int LoadedCount => _jobs.Values.Count(j => j.IsValueCreated && j.Value.IsCompletedSuccessfully && j.Value.Result.Code is not null);

    public bool IsLoaded(JobId job) =>
        _jobs.TryGetValue(job, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully && entry.Value.Result.Code is not null;

    /// <summary>
    /// The job's code, or null when it shipped none (then resolve in the default context). After the
    /// first call for a job this completes synchronously with one dictionary lookup.
    /// </summary>
    public ValueTask<JobCode?> GetAsync(JobId job)
    {
        if (!_enabled) return default;
        if (_jobs.TryGetValue(job, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            return new ValueTask<JobCode?>(entry.Value.Result.Code);
        return new ValueTask<JobCode?>(GetSlowAsync(job));
    }

    /// <summary>
    /// The job's environment variables (its record's, read with its code: once per job and node), once
    /// <see cref="GetAsync"/> has completed for the job; empty when it has none, and in the embedded mode.
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(JobId job) =>
        _jobs.TryGetValue(job, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            ? entry.Value.Result.Environment : GridContext.EmptyEnvironment;

    /// <summary>
    /// The job's namespace (<see cref="JobInfo.Namespace"/>, read with its code), once <see cref="GetAsync"/> has
    /// completed for the job; "default" when unknown, and in the embedded mode.
    /// </summary>
    public string NamespaceOf(JobId job) =>
        _jobs.TryGetValue(job, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            ? entry.Value.Result.Namespace : JobInfo.DefaultNamespace;

    private async Task<JobCode?> GetSlowAsync(JobId job)
    {
        if (_ended.ContainsKey(job)) throw Ended(job);
        var entry = _jobs.GetOrAdd(job, static (id, self) => new Lazy<Task<LoadedJob>>(() => self.LoadAsync(id)), this);
        try
        {
            return (await entry.Value.ConfigureAwait(false)).Code;
        }
        catch
        {
            // A failed load (GCS unreachable, package missing) is retried by the next task.
            _jobs.TryRemove(KeyValuePair.Create(job, entry));
            throw;
        }
    }

    /// <summary>What a node keeps of a job it runs work for: its code, its environment (see <see cref="JobInfo.Environment"/>) and namespace.</summary>
    private sealed record LoadedJob(JobCode? Code, IReadOnlyDictionary<string, string> Environment, string Namespace = JobInfo.DefaultNamespace);

    private async Task<LoadedJob> LoadAsync(JobId job)
    {
        var info = await gcs.GetJobAsync(job).ConfigureAwait(false);
        // The environment travels once per job, in its record, not in every task: its values may be secrets, never logged.
        IReadOnlyDictionary<string, string> environment = info?.Environment is { Count: > 0 } env ? env : GridContext.EmptyEnvironment;
        var ns = info?.Namespace ?? JobInfo.DefaultNamespace;
        if (info?.CodePackage is not { } hash) return new(null, environment, ns); // no package, or not a registered job: default context
        if (info.Status != JobStatus.Running) throw Ended(job);
        var started = Stopwatch.GetTimestamp();
        var package = await gcs.GetCodePackageAsync(hash).ConfigureAwait(false)
            ?? throw new GridException($"The code package {hash} of job {job} is not in the GCS; reconnect the client to upload it again.");
        var context = new JobLoadContext(job, CodePackage.Read(package));
        var code = new JobCode(job, hash, context);
        NodeLog.JobCodeLoaded(logger, job, hash, package.Length, string.Join(", ", context.AssemblyNames), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new(code, environment, ns);
    }

    /// <summary>
    /// Forgets the job here: unloads its code, unless a detached actor of the job still lives on this node (it runs in
    /// that code; the job's other actors were killed before, see <c>GcsGrain.FinishJob</c>).
    /// </summary>
    public async Task DropAsync(JobId job)
    {
        _ended.TryAdd(job, 0);
        if (!_jobs.TryGetValue(job, out var entry) || !entry.IsValueCreated) return;
        JobCode? code;
        try { code = (await entry.Value.ConfigureAwait(false)).Code; }
        catch (Exception) { return; }
        if (code is null) return;
        var detached = false;
        foreach (var actor in code.Actors)
        {
            if (await gcs.GetActorAsync(actor).ConfigureAwait(false) is { State: not ActorState.Dead, Lifetime: ActorLifetime.Detached })
            {
                detached = true;
                continue;
            }
            try { await grains.GetGrain<IActorHostGrain>(actor.Value).Kill($"its job {job} ended").ConfigureAwait(false); }
            catch (Exception e) when (e is not OutOfMemoryException) { NodeLog.EndedJobActorKillFailed(logger, e, actor, job); }
        }
        if (detached)
        {
            NodeLog.JobCodeKeptForDetachedActors(logger, job);
            return;
        }
        if (!_jobs.TryRemove(KeyValuePair.Create(job, entry))) return;
        code.Unload();
        NodeLog.JobCodeUnloaded(logger, job);
    }

    /// <summary>A weak reference to the job's load context while it is loaded here (to watch it being collected).</summary>
    public WeakReference? WatchContext(JobId job) =>
        _jobs.TryGetValue(job, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully ? entry.Value.Result.Code?.WatchContext() : null;

    private static UnknownFunctionException Ended(JobId job) =>
        new($"Job {job} has ended and its code is unloaded; its tasks and actors no longer run. Connect a new client to start another job.");
}
