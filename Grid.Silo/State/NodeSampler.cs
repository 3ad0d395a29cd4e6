using System.Diagnostics;
using System.Globalization;

namespace Grid.Silo.State;

/// <summary>
/// The node process's and the machine's CPU and memory, read when asked (<see cref="NodeStateGrain.GetStats"/>). CPU
/// figures are deltas over a window of at least <see cref="Window"/> (the first: since the process, or the machine,
/// started): callers within a window (the head's sampler, a page's requests) get the same figures, so no caller shortens
/// another's window into noise. Memory is read as it is now. Machine figures come from /proc on Linux and are null elsewhere.
/// <para>
/// In-process test clusters run several silos in one process: each has its own sampler, and all report that process's
/// figures (its pid, CPU and memory), which is right for what the figures mean — the process that hosts the node.
/// </para>
/// </summary>
internal sealed class NodeSampler
{
    private readonly Lock _lock = new();
    private readonly DateTimeOffset _processStart;
    private TimeSpan _lastCpu;
    private DateTimeOffset _lastWall;
    private (long Busy, long Total) _lastMachine;
    private double _cpuPercent;
    private double? _machineCpuPercent;

    /// <summary>The shortest span a CPU figure covers.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    public NodeSampler()
    {
        using var process = Process.GetCurrentProcess();
        _processStart = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        _lastWall = _processStart;
    }

    public int Pid => Environment.ProcessId;
    public DateTimeOffset ProcessStart => _processStart;

    public readonly record struct Sample(double CpuPercent, long MemoryBytes, double? MachineCpuPercent, long? MachineMemoryUsedBytes, long? MachineMemoryTotalBytes);

    public Sample Take()
    {
        var memory = (Used: (long?)null, Total: (long?)null);
        double cpuPercent;
        double? machineCpu;
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow;
            var wall = now - _lastWall;
            if (wall >= Window)
            {
                var cpu = Environment.CpuUsage.TotalTime;
                // Percent of one core, as top shows it (a busy 4-core node reads up to 400).
                _cpuPercent = Math.Max(0, (cpu - _lastCpu) / wall * 100);
                _lastCpu = cpu;
                _lastWall = now;
                if (OperatingSystem.IsLinux() && ReadProcStat() is { } machine)
                {
                    var total = machine.Total - _lastMachine.Total;
                    _machineCpuPercent = total > 0 ? Math.Clamp((machine.Busy - _lastMachine.Busy) * 100.0 / total, 0, 100) : 0;
                    _lastMachine = machine;
                }
            }
            (cpuPercent, machineCpu) = (_cpuPercent, _machineCpuPercent);
        }
        if (OperatingSystem.IsLinux()) memory = ReadMemInfo();
        return new Sample(cpuPercent, Environment.WorkingSet, machineCpu, memory.Used, memory.Total);
    }

    /// <summary>The machine's busy and total jiffies from /proc/stat's first line (busy: all but idle and iowait).</summary>
    private static (long Busy, long Total)? ReadProcStat()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal)) return null;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long total = 0, idle = 0;
            // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice).
            for (var i = 1; i < Math.Min(fields.Length, 9); i++)
            {
                var value = long.Parse(fields[i], CultureInfo.InvariantCulture);
                total += value;
                if (i is 4 or 5) idle += value;
            }
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>MemTotal − MemAvailable and MemTotal from /proc/meminfo, in bytes.</summary>
    private static (long? Used, long? Total) ReadMemInfo()
    {
        try
        {
            long? total = null, available = null;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = Kilobytes(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = Kilobytes(line);
                if (total is not null && available is not null) break;
            }
            return total is { } t && available is { } a ? (t - a, t) : (null, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return (null, null);
        }
    }

    // "MemTotal:       16314328 kB"
    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
}
