using System.Collections.Concurrent;

namespace Grid.Chaos;

/// <summary>Failures of one part of the run, counted by exception type (the Grid type a user would catch).</summary>
public sealed class FailureCounts
{
    private readonly ConcurrentDictionary<string, int> _byType = new();
    private readonly ConcurrentDictionary<string, string> _firstMessage = new();
    private readonly ConcurrentDictionary<string, Exception> _first = new();

    public int Total => _byType.Values.Sum();

    public void Add(Exception e)
    {
        var type = e.GetType().Name;
        _byType.AddOrUpdate(type, 1, (_, n) => n + 1);
        _first.TryAdd(type, e);
        // One line per example: some messages still carry a library's text with its stack trace.
        var message = e.Message.Split('\n', 2)[0].Trim();
        _firstMessage.TryAdd(type, message.Length > 300 ? message[..300] + "…" : message);
    }

    /// <summary>"3 (TimeoutException 2, NodeDiedException 1)", or "0".</summary>
    public override string ToString() => Total == 0 ? "0"
        : $"{Total} ({string.Join(", ", _byType.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))})";

    /// <summary>The first message seen of each type, to tell a reader what the failures said.</summary>
    /// <summary>The first exception of each type in full (stack traces, inner exceptions), for whoever chases a failure.</summary>
    public IEnumerable<Exception> FirstOfEachType() => _first.OrderBy(p => p.Key).Select(p => p.Value);

    public IEnumerable<string> Examples() => _firstMessage.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}");
}
