using System.Text;
using Grid.Grains;
using Grid.Wire;

namespace Grid.Dashboard.State;

/// <summary>States and strategies as the state API writes them: upper case with underscores, as Ray writes them (STRICT_SPREAD).</summary>
internal static class StateNames
{
    public static string Of(NodeState state) => Upper(state.ToString());
    public static string Of(ActorState state) => Upper(state.ToString());
    public static string Of(TaskRecordState state) => Upper(state.ToString());
    public static string Of(PlacementGroupState state) => Upper(state.ToString());
    public static string Of(PlacementGroupStrategy strategy) => Upper(strategy.ToString());

    /// <summary>The task states in <see cref="TaskRecordState"/> order (the index of <c>NodeStats.TaskCountsByName</c>'s arrays).</summary>
    public static readonly string[] TaskStates = [.. Enum.GetValues<TaskRecordState>().Select(Of)];

    private static string Upper(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i])) text.Append('_');
            text.Append(char.ToUpperInvariant(pascal[i]));
        }
        return text.ToString();
    }
}
