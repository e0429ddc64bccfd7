using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;

namespace VirtualNetworking.Core.Live;

/// <summary>
/// One thing a start did, recorded before it is done, so that a failed or killed start can be undone and a
/// stop knows what to take down. Undo is idempotent. <see cref="StartOnly"/> steps are undone only when a
/// start fails (libvirt never switches forwarding back off at stop).
/// </summary>
public abstract record UndoStep(bool StartOnly = false)
{
    public sealed record DeleteLink(string Name) : UndoStep;
    public sealed record RestoreSysctl(string Key, string Value) : UndoStep(StartOnly: true);
    /// <summary>
    /// Recorded twice per start: without handles before the rules are applied (so a killed start is undone by
    /// listing), then with the handles nft echoed. Undo acts on the last one only.
    /// </summary>
    public sealed record RemoveFirewall(IReadOnlyList<RuleHandle>? Handles = null) : UndoStep
    {
        public bool Equals(RemoveFirewall? other) => other is not null &&
            (Handles is null ? other.Handles is null : other.Handles is not null && Handles.SequenceEqual(other.Handles));

        public override int GetHashCode() => Handles?.Count ?? -1;
    }
    public sealed record ReleaseDhcp : UndoStep;
    /// <summary>&lt;domain register='yes'&gt;: the host's resolver forgets the bridge's DNS server and domain.</summary>
    public sealed record UnregisterDns(string Link) : UndoStep;
    public sealed record ReleaseMaster(string Link) : UndoStep;
    /// <summary><paramref name="Broadcast"/>: whether the address had a broadcast address (IPv4), so it comes back exactly.</summary>
    public sealed record RestoreAddress(string Link, IpNetwork Address, bool Broadcast = true) : UndoStep;
    public sealed record RestoreRoute(string Link, IpNetwork Destination, IPAddress? Gateway, uint? Metric) : UndoStep;

    /// <summary>One line per step: a kind and percent-encoded fields (names may hold any character).</summary>
    public string Encode() => string.Join(' ', Fields().Select(Uri.EscapeDataString));

    private IEnumerable<string> Fields() => this switch
    {
        DeleteLink s => new[] { "delete-link", s.Name },
        RestoreSysctl s => new[] { "restore-sysctl", s.Key, s.Value },
        RemoveFirewall { Handles: null } => new[] { "remove-firewall" },
        // "+" marks "handles known" (even none), distinct from the plain line ("unknown").
        RemoveFirewall { Handles: { } handles } => new[] { "remove-firewall", "+" }.Concat(handles.Select(h => h.ToString())),
        ReleaseDhcp => new[] { "release-dhcp" },
        UnregisterDns s => new[] { "unregister-dns", s.Link },
        ReleaseMaster s => new[] { "release-master", s.Link },
        RestoreAddress { Broadcast: true } s => new[] { "restore-address", s.Link, s.Address.ToString() },
        RestoreAddress s => new[] { "restore-address", s.Link, s.Address.ToString(), "no-broadcast" },
        RestoreRoute s => new[] { "restore-route", s.Link, s.Destination.ToString(), s.Gateway?.ToString() ?? "-", s.Metric?.ToString() ?? "-" },
        _ => throw new InvalidOperationException(GetType().Name),
    };

    /// <summary>Null for a line that is torn (a crash mid-write) or unknown.</summary>
    public static UndoStep? Decode(string line)
    {
        var f = line.Split(' ').Select(Uri.UnescapeDataString).ToArray();
        try
        {
            return (f[0], f.Length) switch
            {
                ("delete-link", 2) => new DeleteLink(f[1]),
                ("restore-sysctl", 3) => new RestoreSysctl(f[1], f[2]),
                ("remove-firewall", 1) => new RemoveFirewall(),
                ("remove-firewall", _) when f[1] == "+" => new RemoveFirewall(f.Skip(2).Select(RuleHandle.Parse).ToList()),
                ("release-dhcp", 1) => new ReleaseDhcp(),
                ("unregister-dns", 2) => new UnregisterDns(f[1]),
                ("release-master", 2) => new ReleaseMaster(f[1]),
                ("restore-address", 3) => new RestoreAddress(f[1], IpNetwork.Parse(f[2])),
                ("restore-address", 4) when f[3] == "no-broadcast" => new RestoreAddress(f[1], IpNetwork.Parse(f[2]), Broadcast: false),
                ("restore-route", 5) => new RestoreRoute(f[1], IpNetwork.Parse(f[2]),
                    f[3] == "-" ? null : IPAddress.Parse(f[3]), f[4] == "-" ? null : uint.Parse(f[4])),
                _ => null,
            };
        }
        catch (FormatException) { return null; }
    }
}
