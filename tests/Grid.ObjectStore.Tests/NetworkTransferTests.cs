using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Grid.ObjectStore.Tests;

/// <summary>
/// Transfers between silos that may not share files: the path between machines. The TCP channel moves the bytes;
/// a source without one is pulled through grain calls; a source that fails part-way fails the pull with
/// <see cref="ObjectTransferException"/> naming it, never a hang.
/// </summary>
public sealed class NetworkTransferTests(NetworkOnlyCluster cluster, ITestOutputHelper output) : IClassFixture<NetworkOnlyCluster>
{
    private const int Gib = 1024 * 1024 * 1024;
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task One_GiB_crosses_the_network_channel_and_back_intact()
    {
        var (a, b) = (cluster.WithChannel(0), cluster.WithChannel(1));
        var id = ObjectId.New();
        using (var writer = a.Store.Create(id, Gib))
        {
            new Random(7).NextBytes(writer.Span);
            writer.Seal();
        }
        var paths = new List<string>();
        using var listenB = TransferPaths.Listen(b.Objects, paths);
        using var listenA = TransferPaths.Listen(a.Objects, paths);
        try
        {
            var started = Stopwatch.GetTimestamp();
            using (var there = await b.Objects.PullAsync(id, a.Id, Gib, CancellationToken.None).WaitAsync(Generous))
            {
                Report("network pull a→b", Stopwatch.GetElapsedTime(started));
                Assert.True(a.Store.TryGet(id, out var original));
                using (original) Assert.True(there.Span.SequenceEqual(original.Span));
            }

            Assert.True(a.Store.Delete(id));
            started = Stopwatch.GetTimestamp();
            using var back = await a.Objects.PullAsync(id, b.Id, Gib, CancellationToken.None).WaitAsync(Generous);
            Report("network pull b→a", Stopwatch.GetElapsedTime(started));
            var expected = new byte[64 * 1024 * 1024];
            var random = new Random(7);
            for (long offset = 0; offset < Gib; offset += expected.Length)
            {
                random.NextBytes(expected);
                Assert.True(back.Span.Slice((int)offset, expected.Length).SequenceEqual(expected), $"bytes differ in [{offset}, {offset + expected.Length})");
            }
            Assert.Equal(["network"], paths.Distinct());
        }
        finally
        {
            a.Store.Delete(id);
            b.Store.Delete(id);
        }
    }

    [Fact]
    public async Task A_source_without_a_channel_is_pulled_through_grain_calls()
    {
        var (source, target) = (cluster.WithoutChannel, cluster.WithChannel());
        var id = ObjectId.New();
        var data = TestData.Pattern(24 * 1024 * 1024 + 5, seed: 24);
        source.Store.Put(id, data);
        var paths = new List<string>();
        using var listener = TransferPaths.Listen(target.Objects, paths);

        using (var pulled = await target.Objects.PullAsync(id, source.Id, data.Length, CancellationToken.None).WaitAsync(Generous))
            Assert.True(pulled.Span.SequenceEqual(data));

        Assert.Equal(["grain-calls"], paths.Distinct());
        source.Store.Delete(id);
        target.Store.Delete(id);
    }

    [Fact]
    public async Task A_client_without_a_store_fetches_over_the_channel()
    {
        var source = cluster.WithChannel();
        var id = ObjectId.New();
        var data = TestData.Pattern(40 * 1024 * 1024 + 3, seed: 40);
        source.Store.Put(id, data);
        using var puller = new ObjectManager(cluster.Cluster.Client, null,
            Microsoft.Extensions.Options.Options.Create(new ObjectStoreOptions { AllowSameHostReads = false }), Microsoft.Extensions.Logging.Abstractions.NullLogger<ObjectManager>.Instance);
        var paths = new List<string>();
        using var listener = TransferPaths.Listen(puller, paths);

        var fetched = await puller.FetchAsync(id, source.Id, data.Length, CancellationToken.None).WaitAsync(Generous);

        Assert.True(fetched.AsSpan().SequenceEqual(data));
        Assert.Equal(["network"], paths.Distinct());
        source.Store.Delete(id);
    }

    [Fact]
    public async Task A_client_without_a_store_pushes_over_the_channel_or_through_grain_calls_where_there_is_none()
    {
        using var puller = new ObjectManager(cluster.Cluster.Client, null,
            Microsoft.Extensions.Options.Options.Create(new ObjectStoreOptions { AllowSameHostReads = false }), Microsoft.Extensions.Logging.Abstractions.NullLogger<ObjectManager>.Instance);
        foreach (var (target, path) in new[] { (cluster.WithChannel(), "network"), (cluster.WithoutChannel, "grain-calls") })
        {
            var id = ObjectId.New();
            var data = TestData.Pattern(20 * 1024 * 1024 + 9, seed: 20);
            var paths = new List<string>();
            using var listener = TransferPaths.Listen(puller, paths, ObjectStoreMeter.BytesPushed);

            await puller.PushAsync(id, target.Id, data, CancellationToken.None).WaitAsync(Generous);

            Assert.True(target.Store.TryGet(id, out var stored));
            using (stored) Assert.True(stored.Span.SequenceEqual(data));
            Assert.Equal([path], paths.Distinct());
            target.Store.Delete(id);
        }
    }

    [Fact]
    public async Task A_source_that_stops_mid_pull_fails_the_pull_with_ObjectTransferException_naming_it()
    {
        var handle = await cluster.Cluster.AddSiloAsync().WaitAsync(Generous);
        var services = handle.ServiceProvider;
        var node = new NodeId(handle.SiloAddress.ToParsableString());
        var id = ObjectId.New();
        var size = 64 * 1024 * 1024;
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<LocalObjectStore>(services).Put(id, TestData.Pattern(size, seed: 64));
        var client = new ObjectTransferClient(cluster.Cluster.Client, new NetworkTransferOptions { ChunkSize = 1024 * 1024, Connections = 2 });

        // Every chunk that arrives waits until the source has stopped; the first one stops it. So the source stops
        // with most of the object still to send, and every later request meets a closed channel.
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopping = 0;
        void Sink(long offset, ReadOnlySpan<byte> bytes)
        {
            if (Interlocked.Exchange(ref stopping, 1) == 0)
                _ = Task.Run(async () =>
                {
                    await cluster.Cluster.StopSiloAsync(handle);
                    stopped.TrySetResult();
                });
            stopped.Task.Wait(Generous);
        }

        var error = await Assert.ThrowsAsync<ObjectTransferException>(() => client.TryReadAsync(node, id, size, Sink, _ => { }, CancellationToken.None).WaitAsync(Generous));

        Assert.Equal(node.Value, error.Node);
        Assert.Contains(node.Value, error.Message);
        Assert.Equal(id.ToString(), error.ObjectId);
    }

    [Fact]
    public async Task A_source_that_goes_silent_fails_after_the_chunk_timeout()
    {
        using var standIn = new StandIn(answer: false);
        var client = new ObjectTransferClient(cluster.Cluster.Client, new NetworkTransferOptions { ChunkTimeout = TimeSpan.FromSeconds(1) });
        var node = new NodeId("127.0.0.1:1@1");

        var error = await Assert.ThrowsAsync<ObjectTransferException>(() =>
            client.TryReadAsync(standIn.Endpoint, new byte[16], node, ObjectId.New(), 1024, (_, _) => { }, _ => { }, CancellationToken.None).WaitAsync(Generous));

        Assert.Contains("within 1 s", error.Message);
        Assert.Equal(node.Value, error.Node);
    }

    [Fact]
    public async Task Bytes_that_fail_their_checksum_fail_the_pull()
    {
        using var standIn = new StandIn(answer: true);
        var client = new ObjectTransferClient(cluster.Cluster.Client, new NetworkTransferOptions());

        var error = await Assert.ThrowsAsync<ObjectTransferException>(() =>
            client.TryReadAsync(standIn.Endpoint, new byte[16], new NodeId("127.0.0.1:1@1"), ObjectId.New(), 1024, (_, _) => { }, _ => { }, CancellationToken.None).WaitAsync(Generous));

        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public async Task Nothing_listening_at_the_endpoint_means_fall_back_not_fail()
    {
        int port;
        using (var closed = new TcpListener(IPAddress.Loopback, 0))
        {
            closed.Start();
            port = ((IPEndPoint)closed.LocalEndpoint).Port;
        }
        var client = new ObjectTransferClient(cluster.Cluster.Client, new NetworkTransferOptions());

        var reason = await client.TryReadAsync(new IPEndPoint(IPAddress.Loopback, port), new byte[16], new NodeId("127.0.0.1:1@1"), ObjectId.New(), 1024, (_, _) => { }, _ => { }, CancellationToken.None).WaitAsync(Generous);

        Assert.NotNull(reason);
    }

    /// <summary>A server that reads one request, then says nothing, or answers with bytes whose checksum is wrong.</summary>
    private sealed class StandIn : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];

        public StandIn(bool answer)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    Socket socket;
                    try { socket = await _listener.AcceptSocketAsync(); }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                    lock (_accepted) _accepted.Add(socket);
                    var connection = new NetworkStream(socket, ownsSocket: false);
                    var request = new byte[TransferProtocol.RequestSize];
                    if (!await TransferProtocol.ReceiveExactlyAsync(connection, request, CancellationToken.None)) continue;
                    if (!answer) continue;
                    TransferProtocol.TryReadRequest(request, out _, out _, out var length);
                    var header = new byte[TransferProtocol.ResponseHeaderSize];
                    TransferProtocol.WriteResponseHeader(header, TransferProtocol.Status.Ok, length);
                    await TransferProtocol.SendAllAsync(connection, header, CancellationToken.None);
                    await TransferProtocol.SendAllAsync(connection, new byte[length + TransferProtocol.TrailerSize], CancellationToken.None);
                }
            });
        }

        public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

        public void Dispose()
        {
            _listener.Stop();
            lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
        }
    }

    private void Report(string what, TimeSpan elapsed) =>
        output.WriteLine($"{what}: 1 GiB in {elapsed.TotalMilliseconds:F0} ms = {Gib / elapsed.TotalSeconds / 1e9:F2} GB/s");
}
