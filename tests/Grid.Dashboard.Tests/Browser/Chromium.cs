using Microsoft.Playwright;

namespace Grid.Dashboard.Tests.Browser;

/// <summary>
/// Debian's <c>chromium</c> package (./test.sh installs it with apt), driven by Playwright through its
/// <c>ExecutablePath</c>: no browser download. Playwright 1.64.1 drives chromium 156 as packaged for Debian 12.
/// </summary>
internal static class Chromium
{
    private static readonly string[] Names = ["chromium", "chromium-browser"];

    /// <summary>The chromium binary on PATH (or /usr/bin/chromium); a missing one fails with how to install it.</summary>
    public static string Executable()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in Names)
            foreach (var path in directories.Append("/usr/bin").Select(d => Path.Combine(d, name)))
                if (File.Exists(path)) return path;
        throw new InvalidOperationException(
            "The browser test drives Debian's chromium, which is not installed: run 'apt-get install -y chromium' (./test.sh does it when it is missing).");
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = Executable(),
        Headless = true,
        // In a container: no user namespaces for chromium's sandbox (Playwright already passes --no-sandbox when its
        // chromiumSandbox option is off, as here), and a /dev/shm that may be 64 MiB.
        ChromiumSandbox = false,
        Args = ["--disable-dev-shm-usage"],
    });
}
