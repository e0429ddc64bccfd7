using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>A lease file read back: the live records after replaying every line, and the lines that were skipped.</summary>
public sealed record LeaseFileContents(IReadOnlyList<DhcpLease> Leases, IReadOnlyList<string> SkippedLines);

/// <summary>
/// The line-oriented lease file (docs/dhcp-lease-file.md). Records are appended as leases change and
/// replayed in order, keyed by address; <see cref="Serialize(IEnumerable{DhcpLease})"/> writes the
/// compacted live set. Every line ends in a checksum and a newline, so a line torn by a crash is
/// recognised and skipped. Pure functions: the host does the I/O and fsync.
/// </summary>
public static class LeaseFileFormat
{
    public const string Header = "# VirtualNetworking DHCP leases, format 1";
    private const string Infinite = "infinite";
    private const string None = "-";

    /// <summary>A compacted file: the header and one lease record per line, by address.</summary>
    public static string Serialize(IEnumerable<DhcpLease> leases)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var lease in leases.OrderBy(l => Ipv4.ToUInt32(l.Address))) text.Append(FormatRecord(new(DhcpLeaseChangeKind.Upsert, lease)));
        return text.ToString();
    }

    /// <summary>One record line, newline included. Offers are not leases and cannot be written.</summary>
    public static string FormatRecord(DhcpLeaseChange change)
    {
        var lease = change.Lease;
        var body = change.Kind == DhcpLeaseChangeKind.Remove
            ? $"D {lease.Address}"
            : string.Join(' ', "L", lease.Address, StateName(lease.State),
                FormatExpiry(lease.Expires),
                FormatMac(lease.HardwareAddress),
                lease.ClientId is { } id ? Convert.ToHexStringLower(id) : None,
                lease.HostName is { Length: > 0 } name ? EscapeName(name) : None);
        return Line(body);
    }

    /// <summary>Replays a file; never throws. Damaged lines are skipped and reported; an unterminated last line is a torn write.</summary>
    public static LeaseFileContents Parse(string text)
    {
        var (leases, skipped) = Replay<uint, DhcpLease>(text, TryParseRecord);
        return new LeaseFileContents(leases, skipped);
    }

    /// <summary>Rewrites a file as its live set, dropping records expired at <paramref name="now"/>.</summary>
    public static string Compact(string text, DateTimeOffset now) =>
        Serialize(Parse(text).Leases.Where(l => !l.IsExpired(now)));

    /// <summary>One record's fields (checksum already checked); a removal yields its address and a null lease.</summary>
    private static bool TryParseRecord(string[] f, out uint address, out DhcpLease? lease, out string? problem)
    {
        address = 0;
        lease = null;
        if (f.Length < 2 || !IPAddress.TryParse(f[1], out var ip) || !Ipv4.IsIPv4(ip) || f[1] != ip.ToString())
        { problem = "bad address"; return false; }
        address = Ipv4.ToUInt32(ip);
        if (f is ["D", _]) { problem = null; return true; }
        if (f is not ["L", _, var state, var expires, var mac, var clientId, var name]) { problem = "unknown record"; return false; }

        DhcpLeaseState? parsedState = state switch { "bound" => DhcpLeaseState.Bound, "declined" => DhcpLeaseState.Declined, _ => null };
        if (!TryParseExpiry(expires, out var expiry)) { problem = "bad expiry"; return false; }
        byte[]? id = null;
        string? hostName = null;
        if (parsedState is null) { problem = "bad state"; return false; }
        var hw = PhysicalAddress.None;
        if (mac != None && !PhysicalAddress.TryParse(mac, out hw)) { problem = "bad MAC"; return false; }
        if (clientId != None && !TryFromHex(clientId, out id)) { problem = "bad client id"; return false; }
        if (name != None && !TryUnescapeName(name, out hostName)) { problem = "bad host name"; return false; }
        lease = new DhcpLease(ip, hw, id, hostName, expiry, parsedState.Value);
        problem = null;
        return true;
    }

    /// <summary>Reads one record's fields into its key and its lease (null: the record removes the key's lease).</summary>
    internal delegate bool RecordReader<TKey, TLease>(string[] fields, out TKey key, out TLease? lease, out string? problem);

    /// <summary>
    /// Replays the records of a lease file of either protocol in order, keyed as <paramref name="read"/> says: the live leases
    /// by key, and the lines skipped (a bad checksum, a record that does not read, a torn last line).
    /// </summary>
    internal static (IReadOnlyList<TLease> Leases, IReadOnlyList<string> Skipped) Replay<TKey, TLease>(string text, RecordReader<TKey, TLease> read)
        where TKey : notnull
        where TLease : class
    {
        var live = new Dictionary<TKey, TLease>();
        var skipped = new List<string>();
        var lines = text.Split('\n');
        // Split leaves "" after a final newline; anything else there was written without its newline.
        if (lines[^1].Length > 0) skipped.Add($"line {lines.Length}: torn (no newline)");
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line[0] == '#') continue;
            var split = line.LastIndexOf(' ');
            if (split < 0 || line.Length - split - 1 != 8
                || !uint.TryParse(line.AsSpan(split + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sum)
                || sum != Checksum(line[..split]))
                skipped.Add($"line {i + 1}: checksum mismatch");
            else if (!read(line[..split].Split(' '), out var key, out var lease, out var problem)) skipped.Add($"line {i + 1}: {problem}");
            else if (lease is null) live.Remove(key);
            else live[key] = lease;
        }
        return ([.. live.OrderBy(p => p.Key).Select(p => p.Value)], skipped);
    }

    /// <summary>A record line: its fields, its checksum, a newline.</summary>
    internal static string Line(string body) => $"{body} {Checksum(body):x8}\n";

    internal static string FormatExpiry(DateTimeOffset? expires) =>
        expires is { } e ? e.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : Infinite;

    internal static bool TryParseExpiry(string field, out DateTimeOffset? expiry)
    {
        expiry = null;
        if (field == Infinite) return true;
        if (!long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            || seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()) return false;
        expiry = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static string StateName(DhcpLeaseState state) => state switch
    {
        DhcpLeaseState.Bound => "bound",
        DhcpLeaseState.Declined => "declined",
        _ => throw new ArgumentException("Offers are not persisted.", nameof(state)),
    };

    private static string FormatMac(PhysicalAddress mac) =>
        mac.GetAddressBytes() is { Length: > 0 } bytes ? Convert.ToHexStringLower(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b) : None;

    private static bool TryFromHex(string hex, out byte[]? bytes)
    {
        bytes = null;
        if (hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit)) return false;
        bytes = Convert.FromHexString(hex);
        return true;
    }

    /// <summary>Percent-encodes UTF-8 bytes outside [A-Za-z0-9._-] so a name is one space-free field.</summary>
    internal static string EscapeName(string name)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(name))
            text.Append(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'_' or (byte)'-' ? ((char)b).ToString() : $"%{b:X2}");
        return text.ToString();
    }

    internal static bool TryUnescapeName(string field, out string? name)
    {
        name = null;
        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '%') { if (field[i] > 127) return false; bytes.Add((byte)field[i]); continue; }
            if (i + 2 >= field.Length || !byte.TryParse(field.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)) return false;
            bytes.Add(b);
            i += 2;
        }
        name = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    /// <summary>FNV-1a over the UTF-16 code units of the record text: cheap, and enough to spot torn or zero-filled writes.</summary>
    internal static uint Checksum(string body)
    {
        var hash = 2166136261u;
        foreach (var c in body) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
