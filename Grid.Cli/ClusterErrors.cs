namespace Grid.Cli;

/// <summary>Finds the reason a user can act on inside the exceptions a failed connect or start produces.</summary>
internal static class ClusterErrors
{
    public static string Describe(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is GridAuthenticationException or GridConnectionException or GridCliException) return e.Message;
        for (var e = error; e is not null; e = e.InnerException)
            if (e.Message.Contains("WRONGPASS", StringComparison.Ordinal) || e.Message.Contains("NOAUTH", StringComparison.Ordinal))
                return "the cluster refused the password. Pass the head's password with --password (or GRID_PASSWORD).";
        var root = error;
        while (root.InnerException is not null) root = root.InnerException;
        return root == error ? error.Message : $"{error.Message} ({root.Message})";
    }
}
