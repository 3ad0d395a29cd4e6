using System.Net;
using Grid;
using Grid.Hosting;
using Grid.Silo;
using Grid.TestSilo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: Grid.TestSilo <redis host:port> <cluster id> <silo port> <gateway port> [password]
// Prints "READY <silo address>" once the silo is active, then runs until stdin closes or it is killed.
// Or: Grid.TestSilo client <redis host:port> <cluster id> <password> — a driver for tests that kill a client (see DyingClient).
// Or: Grid.TestSilo job [--read FILE] [--exit N] [--block] — a driver for the job tests (see JobDriver).
if (args is ["job", ..]) return await JobDriver.RunAsync(args);
if (args.Length == 4 && args[0] == "client") return await DyingClient.RunAsync(args[1], args[2], args[3]);
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: Grid.TestSilo <redis host:port> <cluster id> <silo port> <gateway port> [password]");
    return 2;
}

var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo
    .ConfigureEndpoints(IPAddress.Loopback, int.Parse(args[2]), int.Parse(args[3]))
    .UseGridRedis(o =>
    {
        o.Address = args[0];
        o.ClusterId = args[1];
        o.Password = args.Length > 4 ? args[4] : null;
    })
    .UseGrid(o => o.NumCpus = 2));
using var host = builder.Build();
await host.StartAsync();
var silo = host.Services.GetRequiredService<ILocalSiloDetails>();
Console.WriteLine($"READY {silo.SiloAddress.ToParsableString()}");

// The test ends this process by killing it; closing stdin stops it gracefully instead.
await Console.In.ReadToEndAsync();
await host.StopAsync();
return 0;
