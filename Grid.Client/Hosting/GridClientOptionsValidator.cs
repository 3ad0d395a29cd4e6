using Microsoft.Extensions.Options;

namespace Grid.Hosting;

/// <summary>
/// Checks <see cref="GridClientOptions"/> before a client connects: in <c>GridClient.ConnectAsync</c>, and at the host's
/// start for <c>AddGridClient</c> (<c>ValidateOnStart</c>); the error names the option.
/// </summary>
internal sealed class GridClientOptionsValidator : IValidateOptions<GridClientOptions>
{
    public ValidateOptionsResult Validate(string? name, GridClientOptions o)
    {
        var errors = new List<string>();
        if (o.InlineThreshold < 0) errors.Add($"GridClientOptions.InlineThreshold must be 0 or more bytes; it is {o.InlineThreshold}.");
        if (o.ConnectTimeout <= TimeSpan.Zero) errors.Add($"GridClientOptions.ConnectTimeout must be positive; it is {o.ConnectTimeout}.");
        if (o.NodeRefreshInterval <= TimeSpan.Zero) errors.Add($"GridClientOptions.NodeRefreshInterval must be positive; it is {o.NodeRefreshInterval}.");
        if (o.LeaseRenewal <= TimeSpan.Zero) errors.Add($"GridClientOptions.LeaseRenewal must be positive (2 s by default); it is {o.LeaseRenewal}.");
        if (o.MaxLineageBytes < 0) errors.Add($"GridClientOptions.MaxLineageBytes must be 0 (keep no lineage) or more; it is {o.MaxLineageBytes}.");
        if (string.IsNullOrWhiteSpace(o.Namespace)) errors.Add("GridClientOptions.Namespace must not be empty or blank (\"default\" by default).");
        if (o.Environment is { } environment)
            foreach (var variable in environment.Keys)
                if (string.IsNullOrEmpty(variable) || variable.Contains('=', StringComparison.Ordinal))
                    errors.Add($"GridClientOptions.Environment: the variable name '{variable}' is invalid; names must be non-empty and contain no '='.");
        if (o.Redis is null && o.Address is null && o.Gateways.Count == 0) errors.Add("GridClientOptions needs an Address, Redis settings or at least one gateway.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem of <paramref name="options"/>.</summary>
    public static void ThrowIfInvalid(GridClientOptions options)
    {
        var result = new GridClientOptionsValidator().Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(GridClientOptions), result.Failures);
    }
}
