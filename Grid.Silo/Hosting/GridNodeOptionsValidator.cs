using Microsoft.Extensions.Options;

namespace Grid.Silo;

/// <summary>
/// Checks <see cref="GridNodeOptions"/> when the silo's host starts (<c>ValidateOnStart</c>): a node with a negative CPU
/// count or a zero interval would misbehave long after start, so it does not start, and the error names the option.
/// </summary>
internal sealed class GridNodeOptionsValidator : IValidateOptions<GridNodeOptions>
{
    public ValidateOptionsResult Validate(string? name, GridNodeOptions o)
    {
        var errors = new List<string>();
        if (!(o.NumCpus >= 0)) errors.Add($"GridNodeOptions.NumCpus must be 0 or more (--num-cpus); it is {o.NumCpus}.");
        if (!(o.NumGpus >= 0)) errors.Add($"GridNodeOptions.NumGpus must be 0 or more (--num-gpus); it is {o.NumGpus}.");
        if (o.Memory is { } memory && !(memory >= 0)) errors.Add($"GridNodeOptions.Memory must be 0 or more bytes; it is {memory}.");
        foreach (var (resource, amount) in o.Resources)
        {
            if (string.IsNullOrWhiteSpace(resource)) errors.Add("GridNodeOptions.Resources has a resource with an empty name.");
            else if (!(amount >= 0)) errors.Add($"GridNodeOptions.Resources[\"{resource}\"] must be 0 or more; it is {amount}.");
        }
        if (o.Labels.Keys.Any(string.IsNullOrWhiteSpace)) errors.Add("GridNodeOptions.Labels has a label with an empty name.");
        if (o.InlineThreshold < 0) errors.Add($"GridNodeOptions.InlineThreshold must be 0 or more bytes; it is {o.InlineThreshold}.");
        if (o.ResourceReportInterval <= TimeSpan.Zero) errors.Add($"GridNodeOptions.ResourceReportInterval must be positive; it is {o.ResourceReportInterval}.");
        if (o.ClientTimeout <= TimeSpan.Zero) errors.Add($"GridNodeOptions.ClientTimeout must be positive; it is {o.ClientTimeout}.");
        if (o.MaxLineageBytes < 0) errors.Add($"GridNodeOptions.MaxLineageBytes must be 0 (keep no lineage) or more; it is {o.MaxLineageBytes}.");
        if (o.TaskRecordCapacity <= 0) errors.Add($"GridNodeOptions.TaskRecordCapacity must be 1 or more records; it is {o.TaskRecordCapacity}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
