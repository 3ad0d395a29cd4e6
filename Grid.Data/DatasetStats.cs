using System.Text;

namespace Grid.Data;

/// <summary>What one run of a dataset did (Ray's Dataset.stats()): per operator, and the run's wall time.</summary>
public sealed record DatasetStats(IReadOnlyList<OperatorStats> Operators, TimeSpan WallTime)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var op in Operators)
            text.AppendLine($"{op.Name}: {op.Tasks} tasks, {op.Blocks} blocks, {op.Rows:N0} rows, {op.Bytes / 1048576.0:N1} MiB out, {op.TaskTime.TotalSeconds:N2} s in tasks");
        text.Append($"wall time: {WallTime.TotalSeconds:N2} s");
        return text.ToString();
    }
}

/// <summary>One operator of a run: the tasks (or actor calls) that ran it, and the blocks, rows and bytes it put out, and the time its code took.</summary>
public sealed record OperatorStats(string Name, int Tasks, int Blocks, long Rows, long Bytes, TimeSpan TaskTime);
