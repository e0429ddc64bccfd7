using System.Net;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Daemon;

/// <summary>
/// The host's nameservers, from resolv.conf (VNET_RESOLV_CONF, else /etc/resolv.conf): the upstreams of every network
/// that names no &lt;forwarder addr&gt;. Read again when its text changes, checked once a second from a loop timer rather
/// than by inotify: resolv.conf is usually a symlink into /run (systemd-resolved, resolvconf, NetworkManager) whose
/// target is replaced by a rename in another directory, which a watch on /etc does not see; reading a file of a few
/// hundred bytes a second costs microseconds and cannot miss an edit made within one mtime tick, as dnsmasq's mtime
/// poll can. A missing or unreadable file means no upstream, not an error.
/// </summary>
internal sealed class HostResolvers
{
    public const string PathVariable = "VNET_RESOLV_CONF";
    public const string DefaultPath = "/etc/resolv.conf";
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly EventLoop _loop;
    private readonly DaemonLog _log;
    private string? _text;
    private LoopTimer? _timer;

    public HostResolvers(string? path, EventLoop loop, DaemonLog log)
    {
        _path = string.IsNullOrEmpty(path) ? DefaultPath : path;
        _loop = loop;
        _log = log;
    }

    /// <summary>The nameservers now, in the file's order; port 53.</summary>
    public IReadOnlyList<IPEndPoint> Current { get; private set; } = [];

    /// <summary>Raised on the loop thread when <see cref="Current"/> changed.</summary>
    public event Action? Changed;

    /// <summary>Reads the file and checks it every second from now on. Loop thread only.</summary>
    public void Start() => Check();

    public void Stop() => _timer?.Cancel();

    private void Check()
    {
        string? text;
        try { text = File.ReadAllText(_path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { text = null; }
        if (text != _text)
        {
            _text = text;
            var servers = text is null ? [] : Parse(text);
            if (!servers.SequenceEqual(Current))
            {
                Current = servers;
                _log.Write(text is null ? $"{_path} cannot be read: no host resolvers"
                    : $"host resolvers from {_path}: {(servers.Count == 0 ? "none" : string.Join(", ", servers))}");
                Changed?.Invoke();
            }
        }
        _timer = _loop.Schedule(CheckInterval, Check);
    }

    /// <summary>
    /// The `nameserver ADDRESS` lines (resolv.conf(5)), every one of them as dnsmasq takes them, not only glibc's first
    /// three; an IPv6 address may carry a %zone. Lines that do not parse are skipped.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> Parse(string text)
    {
        var servers = new List<IPEndPoint>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields is not ["nameserver", var address, ..]) continue;
            if (IPAddress.TryParse(address, out var ip) && !servers.Any(s => s.Address.Equals(ip)))
                servers.Add(new IPEndPoint(ip, DnsPolicy.DnsPort));
        }
        return servers;
    }
}
