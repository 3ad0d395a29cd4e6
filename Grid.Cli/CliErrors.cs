namespace Grid.Cli;

/// <summary>Runs a command's action, printing errors the user can fix as one message (no stack trace) with exit code 1.</summary>
internal static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is GridCliException or GridConnectionException or GridAuthenticationException or GridApiException)
        {
            await Console.Error.WriteLineAsync($"grid: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
