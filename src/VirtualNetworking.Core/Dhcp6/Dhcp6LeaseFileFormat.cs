using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>A DHCPv6 lease file read back: the live records after replaying every line, and the lines that were skipped.</summary>
public sealed record Dhcp6LeaseFileContents(IReadOnlyList<Dhcp6Lease> Leases, IReadOnlyList<string> SkippedLines);

/// <summary>
/// The DHCPv6 lease file, line for line like <see cref="LeaseFileFormat"/>: records appended as leases change and replayed
/// in order, keyed by address, each ending in the same checksum so a torn line is skipped; <see cref="Serialize"/> writes
/// the compacted live set. A record: <c>L ADDRESS bound|declined EXPIRY|infinite DUID IAID NAME|-</c>, or <c>D ADDRESS</c>.
/// Pure functions: the host does the I/O and fsync.
/// </summary>
public static class Dhcp6LeaseFileFormat
{
    public const string Header = "# VirtualNetworking DHCPv6 leases, format 1";
    private const string Infinite = "infinite";
    private const string None = "-";

    public static string Serialize(IEnumerable<Dhcp6Lease> leases)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var lease in leases.OrderBy(l => IpNetwork.ToInteger(l.Address))) text.Append(FormatRecord(new(DhcpLeaseChangeKind.Upsert, lease)));
        return text.ToString();
    }

    /// <summary>One record line, newline included.</summary>
    public static string FormatRecord(Dhcp6LeaseChange change)
    {
        var lease = change.Lease;
        var body = change.Kind == DhcpLeaseChangeKind.Remove
            ? $"D {lease.Address}"
            : string.Join(' ', "L", lease.Address, lease.State == Dhcp6LeaseState.Bound ? "bound" : "declined",
                lease.Expires is { } e ? e.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : Infinite,
                lease.ClientId, lease.Iaid.ToString(CultureInfo.InvariantCulture),
                lease.HostName is { Length: > 0 } name ? LeaseFileFormat.EscapeName(name) : None);
        return $"{body} {LeaseFileFormat.Checksum(body):x8}\n";
    }

    /// <summary>Replays a file; never throws. Damaged lines are skipped and reported; an unterminated last line is a torn write.</summary>
    public static Dhcp6LeaseFileContents Parse(string text)
    {
        var live = new Dictionary<UInt128, Dhcp6Lease>();
        var skipped = new List<string>();
        var lines = text.Split('\n');
        if (lines[^1].Length > 0) skipped.Add($"line {lines.Length}: torn (no newline)");
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line[0] == '#') continue;
            if (TryParseRecord(line, out var address, out var lease, out var problem))
            {
                if (lease is null) live.Remove(address);
                else live[address] = lease;
            }
            else skipped.Add($"line {i + 1}: {problem}");
        }
        return new Dhcp6LeaseFileContents([.. live.OrderBy(p => p.Key).Select(p => p.Value)], skipped);
    }

    /// <summary>Rewrites a file as its live set, dropping records expired at <paramref name="now"/>.</summary>
    public static string Compact(string text, DateTimeOffset now) =>
        Serialize(Parse(text).Leases.Where(l => !l.IsExpired(now)));

    /// <summary>A removal record yields its address and a null lease.</summary>
    private static bool TryParseRecord(string line, out UInt128 address, out Dhcp6Lease? lease, out string? problem)
    {
        address = 0;
        lease = null;
        var split = line.LastIndexOf(' ');
        if (split < 0 || line.Length - split - 1 != 8
            || !uint.TryParse(line.AsSpan(split + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sum)
            || sum != LeaseFileFormat.Checksum(line[..split]))
        { problem = "checksum mismatch"; return false; }
        var f = line[..split].Split(' ');
        if (f.Length < 2 || !IPAddress.TryParse(f[1], out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6 || f[1] != ip.ToString())
        { problem = "bad address"; return false; }
        address = IpNetwork.ToInteger(ip);
        if (f is ["D", _]) { problem = null; return true; }
        if (f is not ["L", _, var state, var expires, var duidText, var iaidText, var name]) { problem = "unknown record"; return false; }
        Dhcp6LeaseState? parsedState = state switch { "bound" => Dhcp6LeaseState.Bound, "declined" => Dhcp6LeaseState.Declined, _ => null };
        if (parsedState is null) { problem = "bad state"; return false; }
        DateTimeOffset? expiry = null;
        if (expires != Infinite)
        {
            if (!long.TryParse(expires, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                || seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            { problem = "bad expiry"; return false; }
            expiry = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        if (!Duid.TryParse(duidText, out var duid, out _)) { problem = "bad DUID"; return false; }
        if (!uint.TryParse(iaidText, NumberStyles.None, CultureInfo.InvariantCulture, out var iaid)) { problem = "bad IAID"; return false; }
        string? hostName = null;
        if (name != None && !LeaseFileFormat.TryUnescapeName(name, out hostName)) { problem = "bad host name"; return false; }
        lease = new Dhcp6Lease(ip, duid, iaid, hostName, expiry, parsedState.Value);
        problem = null;
        return true;
    }
}
