using Microsoft.Extensions.Logging;

namespace Grid.Silo.Diagnostics;

/// <summary>
/// The log messages of a node's components, source-generated ([LoggerMessage]: no formatting or allocation when the level is off), with
/// event ids 2001–2099 (see docs/architecture.md for every component's range).
/// </summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Could not kill actor {Actor} of ended job {Job}")]
    public static partial void EndedJobActorKillFailed(ILogger logger, Exception exception, object? actor, object? job);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Job {Job} ended; its code stays loaded on this node for its detached actors")]
    public static partial void JobCodeKeptForDetachedActors(ILogger logger, object? job);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Unloaded the code of job {Job}")]
    public static partial void JobCodeUnloaded(ILogger logger, object? job);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Refreshing the cluster resource view failed; retrying next tick")]
    public static partial void ClusterViewRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "{Reason}. It waits until a node that can run it joins the cluster.")]
    public static partial void WorkInfeasible(ILogger logger, object? reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Placing {Actor} on {Node} failed ({Error}); placing it again")]
    public static partial void ActorPlacementRetrying(ILogger logger, object? actor, object? node, object? error);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Reserved bundle {Index} of placement group {Group}: {Bundle}")]
    public static partial void BundleReserved(ILogger logger, object? index, object? group, object? bundle);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Returned {Count} bundles of placement group {Group}")]
    public static partial void BundlesReturned(ILogger logger, object? count, object? group);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "Reserved {Resources} for actor {Actor}")]
    public static partial void ActorResourcesReserved(ILogger logger, object? resources, object? actor);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Could not kill actor {Actor} of ended job {Job}")]
    public static partial void EndedJobActorKillFailedInGcs(ILogger logger, Exception exception, object? actor, object? job);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Node {Node} could not drop the code of job {Job}")]
    public static partial void JobCodeDropFailed(ILogger logger, Exception exception, object? node, object? job);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "GCS connected to Redis at {Address} (keys {Prefix}*)")]
    public static partial void GcsConnected(ILogger logger, object? address, object? prefix);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Killing actor {Actor} of removed placement group {Group} failed")]
    public static partial void GroupActorKillFailed(ILogger logger, Exception exception, object? actor, object? group);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Placement group {Group} found again in the GCS ({State})")]
    public static partial void GroupRecovered(ILogger logger, object? group, object? state);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Placement group {Group} is rescheduling bundles {Bundles}: their node died")]
    public static partial void GroupRescheduling(ILogger logger, object? group, object? bundles);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Error, Message = "Scheduling placement group {Group} failed; trying again at the next refresh of the cluster view")]
    public static partial void GroupSchedulingFailed(ILogger logger, Exception exception, object? group);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "Placement group {Group} is {State}: {Reason}")]
    public static partial void GroupWaiting(ILogger logger, object? group, object? state, object? reason);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Information, Message = "Placement group {Group} created on {Nodes}")]
    public static partial void GroupCreated(ILogger logger, object? group, object? nodes);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Warning, Message = "Could not store placement group {Group} in the GCS; trying again")]
    public static partial void GroupSaveFailed(ILogger logger, Exception exception, object? group);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "Placement group {Group} removed")]
    public static partial void GroupRemoved(ILogger logger, object? group);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "Actor {Actor} killed: {Reason}")]
    public static partial void ActorKilled(ILogger logger, object? actor, object? reason);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Debug, Message = "Actor {Actor} released {Count} refs it held")]
    public static partial void ActorRefsReleased(ILogger logger, object? actor, object? count);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Information, Message = "Loaded the code of job {Job} (package {Package}, {Bytes} bytes: {Assemblies}) in {Elapsed:F0} ms")]
    public static partial void JobCodeLoaded(ILogger logger, JobId job, string package, long bytes, string assemblies, double elapsed);

    [LoggerMessage(EventId = 2024, Level = LogLevel.Warning, Message = "Could not record in the object directory that node {Node} {Change} object {Object}")]
    public static partial void DirectoryRecordFailed(ILogger logger, Exception exception, NodeId node, string change, ObjectId @object);

    [LoggerMessage(EventId = 2025, Level = LogLevel.Warning, Message = "Could not cancel task {Task}, which a cancelled task submitted")]
    public static partial void ChildCancelFailed(ILogger logger, Exception exception, ObjectId task);
}
