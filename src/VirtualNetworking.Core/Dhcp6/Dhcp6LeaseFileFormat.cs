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
                LeaseFileFormat.FormatExpiry(lease.Expires),
                lease.ClientId, lease.Iaid.ToString(CultureInfo.InvariantCulture),
                lease.HostName is { Length: > 0 } name ? LeaseFileFormat.EscapeName(name) : None);
        return LeaseFileFormat.Line(body);
    }

    /// <summary>Replays a file; never throws. Damaged lines are skipped and reported; an unterminated last line is a torn write.</summary>
    public static Dhcp6LeaseFileContents Parse(string text)
    {
        var (leases, skipped) = LeaseFileFormat.Replay<UInt128, Dhcp6Lease>(text, TryParseRecord);
        return new Dhcp6LeaseFileContents(leases, skipped);
    }

    /// <summary>Rewrites a file as its live set, dropping records expired at <paramref name="now"/>.</summary>
    public static string Compact(string text, DateTimeOffset now) =>
        Serialize(Parse(text).Leases.Where(l => !l.IsExpired(now)));

    /// <summary>One record's fields (checksum already checked); a removal yields its address and a null lease.</summary>
    private static bool TryParseRecord(string[] f, out UInt128 address, out Dhcp6Lease? lease, out string? problem)
    {
        address = 0;
        lease = null;
        if (f.Length < 2 || !IPAddress.TryParse(f[1], out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6 || f[1] != ip.ToString())
        { problem = "bad address"; return false; }
        address = IpNetwork.ToInteger(ip);
        if (f is ["D", _]) { problem = null; return true; }
        if (f is not ["L", _, var state, var expires, var duidText, var iaidText, var name]) { problem = "unknown record"; return false; }
        Dhcp6LeaseState? parsedState = state switch { "bound" => Dhcp6LeaseState.Bound, "declined" => Dhcp6LeaseState.Declined, _ => null };
        if (parsedState is null) { problem = "bad state"; return false; }
        if (!LeaseFileFormat.TryParseExpiry(expires, out var expiry)) { problem = "bad expiry"; return false; }
        if (!Duid.TryParse(duidText, out var duid, out _)) { problem = "bad DUID"; return false; }
        if (!uint.TryParse(iaidText, NumberStyles.None, CultureInfo.InvariantCulture, out var iaid)) { problem = "bad IAID"; return false; }
        string? hostName = null;
        if (name != None && !LeaseFileFormat.TryUnescapeName(name, out hostName)) { problem = "bad host name"; return false; }
        lease = new Dhcp6Lease(ip, duid, iaid, hostName, expiry, parsedState.Value);
        problem = null;
        return true;
    }
}
