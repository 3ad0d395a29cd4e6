namespace Grid.ObjectStore;

/// <summary>
/// Names this machine (host name + kernel boot id), so a node can tell whether another node's object file is on
/// its own machine. Containers on one machine share the boot id without sharing /dev/shm: the reader still checks
/// that the file opens and has the object's size, and falls back to the network otherwise.
/// </summary>
internal static class HostIdentity
{
    public static string Current { get; } = Compute();

    private static string Compute()
    {
        string boot;
        try
        {
            boot = File.Exists("/proc/sys/kernel/random/boot_id") ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            boot = "";
        }
        return $"{Environment.MachineName}/{boot}";
    }
}
