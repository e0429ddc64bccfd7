using System.Globalization;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The control socket: one request line per connection, answered by item lines and a final ok/error line
/// (<see cref="DhcpControlMessage"/>). Root-only (mode 0600), like the rest of /run/virtualnetworking.
/// </summary>
internal sealed class ControlServer : IDisposable
{
    /// <summary>Largest request accepted: a network document (1 MiB) percent-encoded, with room to spare.</summary>
    private const int MaxRequestBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly NetworkHost _host;
    private readonly DaemonLog _log;
    private readonly Thread _thread;

    public ControlServer(string path, NetworkHost host, DaemonLog log)
    {
        _host = host;
        _log = log;
        // Only the holder of the pid-file lock gets here, so a socket file left by a crashed daemon is stale.
        File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
        _thread = new Thread(AcceptLoop) { Name = "control", IsBackground = true };
        _thread.Start();
    }

    public void Dispose() => _listener.Dispose();

    private void AcceptLoop()
    {
        while (true)
        {
            Socket client;
            try { client = _listener.Accept(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            using (client) Serve(client);
        }
    }

    private void Serve(Socket client)
    {
        client.ReceiveTimeout = client.SendTimeout = (int)ClientTimeout.TotalMilliseconds;
        try
        {
            using var stream = new NetworkStream(client);
            var line = ReadLine(new BufferedStream(stream));
            var response = new StringBuilder();
            try
            {
                foreach (var message in Answer(DhcpControlMessage.Parse(line))) response.Append(message.Format());
            }
            catch (DnsPortInUseException e)
            {
                _log.Write($"control: {e.Message}");
                response.Append(new DhcpControlMessage(DhcpControlMessage.Error, ("message", e.Message),
                    (DhcpControlMessage.ReasonKey, DhcpControlMessage.DnsPortInUseReason)).Format());
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or IOException or SocketException or UnauthorizedAccessException
                                      or Core.Problems.NetworkProblemException)
            {
                _log.Write($"control: {e.Message}");
                response.Append(new DhcpControlMessage(DhcpControlMessage.Error, ("message", e.Message)).Format());
            }
            stream.Write(Encoding.UTF8.GetBytes(response.ToString()));
        }
        catch (Exception e) when (e is IOException or SocketException or FormatException)
        {
            _log.Write($"control: client dropped: {e.Message}");
        }
    }

    private IEnumerable<DhcpControlMessage> Answer(DhcpControlMessage request)
    {
        switch (request.Verb)
        {
            case DhcpControlMessage.Ping:
                return [Ok(("pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)),
                           ("netns", NetworkNamespace.CurrentInode().ToString(CultureInfo.InvariantCulture)))];
            case DhcpControlMessage.AddOrUpdate:
                _host.AddOrUpdate(request.Required("name"), request.Required("bridge"), request.Required("xml"));
                return [Ok(("leaseFile", _host.LeaseFile(request.Required("name"))))];
            case DhcpControlMessage.Remove:
                return [Ok(("removed", _host.Remove(request.Required("name")) ? "yes" : "no"))];
            case DhcpControlMessage.Status:
                return [.. _host.Status(), Ok(("firewallRestores", _host.FirewallRestores.ToString(CultureInfo.InvariantCulture)))];
            default:
                throw new FormatException($"Unknown control request '{request.Verb}'.");
        }
    }

    private static DhcpControlMessage Ok(params (string, string)[] fields) => new(DhcpControlMessage.Ok, fields);

    private static string ReadLine(Stream stream)
    {
        var bytes = new MemoryStream();
        Span<byte> one = stackalloc byte[1];
        while (stream.Read(one) == 1 && one[0] != (byte)'\n')
        {
            if (bytes.Length >= MaxRequestBytes) throw new FormatException("Control request too long.");
            bytes.WriteByte(one[0]);
        }
        return Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }
}
