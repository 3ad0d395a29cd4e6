using System.Text;
using System.Text.RegularExpressions;

namespace Grid.Data.Formats;

/// <summary>
/// Glob paths for <see cref="LocalFileSystem.List"/>: <c>*</c> (any characters but a separator), <c>?</c> (one
/// character but a separator) and <c>**</c> as a whole segment (zero or more directories). Every other character is
/// literal. A name a wildcard segment matches is skipped when it starts with '.' or '_' (hidden files, a writer's
/// temporary files, "_SUCCESS"-style markers), as in a directory listing; a literal segment is taken as written.
/// </summary>
internal static class Globs
{
    static readonly char[] Separators = OperatingSystem.IsWindows() ? ['/', '\\'] : ['/'];

    /// <summary>Whether <paramref name="path"/> has a wildcard (and so is a glob, not a file or directory).</summary>
    public static bool IsGlob(string path) => path.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>A name a listing skips: hidden ('.') or private ('_', e.g. "_SUCCESS", "_temporary").</summary>
    public static bool IsHidden(string name) => name.StartsWith('.') || name.StartsWith('_');

    /// <summary>The files <paramref name="glob"/> matches, full paths, unsorted and without duplicates.</summary>
    public static IReadOnlyCollection<string> Expand(string glob)
    {
        // The literal directory before the first wildcard is where the walk starts ("/data/x/*.csv" → "/data/x").
        int firstWildcard = glob.AsSpan().IndexOfAny('*', '?');
        int lastSeparator = glob.AsSpan(0, firstWildcard).LastIndexOfAny(Separators);
        string root = lastSeparator < 0 ? "." : lastSeparator == 0 ? glob[..1] : glob[..lastSeparator];
        string[] segments = glob[(lastSeparator + 1)..].Split(Separators, StringSplitOptions.RemoveEmptyEntries);
        if (segments[^1] == "**")
            segments = [.. segments, "*"]; // "dir/**" means every file under dir
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(root))
            Walk(Path.GetFullPath(root), segments, 0, found);
        return found;
    }

    static void Walk(string directory, string[] segments, int index, HashSet<string> found)
    {
        string segment = segments[index];
        bool last = index == segments.Length - 1;
        if (segment == "**")
        {
            Walk(directory, segments, index + 1, found); // zero directories
            foreach (string sub in Directory.EnumerateDirectories(directory))
                if (!IsHidden(Path.GetFileName(sub)))
                    Walk(sub, segments, index, found); // one more, and maybe others
            return;
        }
        if (!IsGlob(segment))
        {
            string path = Path.Combine(directory, segment);
            if (last && File.Exists(path))
                found.Add(path);
            else if (!last && Directory.Exists(path))
                Walk(path, segments, index + 1, found);
            return;
        }
        var pattern = SegmentRegex(segment);
        var entries = last ? Directory.EnumerateFiles(directory) : Directory.EnumerateDirectories(directory);
        foreach (string entry in entries)
        {
            string name = Path.GetFileName(entry);
            if (IsHidden(name) || !pattern.IsMatch(name))
                continue;
            if (last)
                found.Add(entry);
            else
                Walk(entry, segments, index + 1, found);
        }
    }

    static Regex SegmentRegex(string segment)
    {
        var regex = new StringBuilder("^");
        foreach (char c in segment)
            regex.Append(c switch { '*' => ".*", '?' => ".", _ => Regex.Escape(c.ToString()) });
        regex.Append('$');
        // File names compare as the OS does: case-insensitively on Windows only.
        var options = RegexOptions.CultureInvariant | (OperatingSystem.IsWindows() ? RegexOptions.IgnoreCase : RegexOptions.None);
        return new Regex(regex.ToString(), options);
    }
}
