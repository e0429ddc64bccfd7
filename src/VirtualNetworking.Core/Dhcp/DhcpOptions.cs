using System.Buffers.Binary;
using System.Net;
using System.Text;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// The options of one packet in order, one entry per code. A code that appears several times on the
/// wire is one entry whose value is the concatenation (RFC 3396); values longer than 255 bytes are
/// split again when written.
/// </summary>
public sealed class DhcpOptions
{
    private readonly List<KeyValuePair<byte, byte[]>> _entries = [];

    public int Count => _entries.Count;
    public IEnumerable<byte> Codes => _entries.Select(e => e.Key);
    public IEnumerable<KeyValuePair<byte, byte[]>> Entries => _entries;

    public byte[]? Get(byte code)
    {
        foreach (var entry in _entries)
            if (entry.Key == code) return entry.Value;
        return null;
    }

    public bool Contains(byte code) => Get(code) is not null;

    /// <summary>Sets or replaces a value; a new code goes to the end so callers control the wire order.</summary>
    public void Set(byte code, byte[] value)
    {
        if (code is DhcpOptionCode.Pad or DhcpOptionCode.End)
            throw new ArgumentException($"Option {code} carries no value.", nameof(code));
        for (var i = 0; i < _entries.Count; i++)
        {
            if (_entries[i].Key != code) continue;
            _entries[i] = new(code, value);
            return;
        }
        _entries.Add(new(code, value));
    }

    public void Remove(byte code) => _entries.RemoveAll(e => e.Key == code);

    public byte? GetByte(byte code) => Get(code) is [var b] ? b : null;

    public ushort? GetUInt16(byte code) =>
        Get(code) is { Length: 2 } v ? BinaryPrimitives.ReadUInt16BigEndian(v) : null;

    public uint? GetUInt32(byte code) =>
        Get(code) is { Length: 4 } v ? BinaryPrimitives.ReadUInt32BigEndian(v) : null;

    public IPAddress? GetAddress(byte code) => Get(code) is { Length: 4 } v ? new IPAddress(v) : null;

    /// <summary>Text options are not NUL-terminated by spec, but some clients add one; it is dropped.</summary>
    public string? GetString(byte code) =>
        Get(code) is { } v ? Encoding.Latin1.GetString(v).TrimEnd('\0') : null;

    public void SetByte(byte code, byte value) => Set(code, [value]);

    public void SetUInt16(byte code, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        Set(code, bytes);
    }

    public void SetUInt32(byte code, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Set(code, bytes);
    }

    public void SetAddress(byte code, IPAddress address) => SetAddresses(code, [address]);

    public void SetAddresses(byte code, IReadOnlyList<IPAddress> addresses)
    {
        var bytes = new byte[addresses.Count * 4];
        for (var i = 0; i < addresses.Count; i++)
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), Ipv4.ToUInt32(addresses[i]));
        Set(code, bytes);
    }

    public void SetString(byte code, string value) => Set(code, Encoding.Latin1.GetBytes(value));

    /// <summary>
    /// A list of domain names as RFC 3397 encodes them (option 119): uncompressed wire names, each ending in a pointer
    /// to the longest suffix an earlier one wrote, offsets counted from the start of the option's data. A value over
    /// 255 bytes is split into several instances when written (RFC 3396), which is how RFC 3397 carries long lists.
    /// </summary>
    public void SetDomainNames(byte code, IReadOnlyList<DnsName> names)
    {
        var writer = new DnsWriter(DnsMessage.MaxLength);
        foreach (var name in names) writer.WriteName(name, compress: true);
        Set(code, writer.ToArray());
    }

    /// <summary>Bytes this entry takes on the wire, counting the 2-byte header of every 255-byte chunk.</summary>
    internal static int WireLength(byte[] value) => value.Length == 0 ? 2 : value.Length + 2 * ((value.Length + 254) / 255);
}
