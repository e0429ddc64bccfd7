using System.Buffers.Binary;

namespace VirtualNetworking.Core.Dns;

/// <summary>
/// Writes a message up to a size limit with name compression (RFC 1035 §4.1.4). A write past the limit sets
/// <see cref="Overflowed"/> instead of throwing, so the caller can roll back to a mark and leave a record out.
/// </summary>
internal sealed class DnsWriter(int limit)
{
    /// <summary>Pointers hold 14 bits: a name written later than this cannot be pointed to.</summary>
    private const int MaxPointerTarget = 0x3FFF;

    private byte[] buffer = new byte[Math.Min(limit, DnsMessage.ClassicUdpLimit)];
    private readonly Dictionary<DnsNameSuffix, int> suffixes = new();
    private readonly List<DnsNameSuffix> suffixOrder = [];

    public int Length { get; private set; }
    public int Limit { get; set; } = limit;
    public bool Overflowed { get; private set; }

    public byte[] ToArray() => buffer[..Length];

    /// <summary>Forgets everything written from <paramref name="mark"/> on, the names it made pointable included.</summary>
    public void Rollback(int mark)
    {
        Length = mark;
        Overflowed = false;
        while (suffixOrder.Count > 0 && suffixes[suffixOrder[^1]] >= mark)
        {
            suffixes.Remove(suffixOrder[^1]);
            suffixOrder.RemoveAt(suffixOrder.Count - 1);
        }
    }

    public void WriteUInt16(ushort value)
    {
        if (Reserve(2) is { } at) BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), value);
    }

    public void WriteUInt32(uint value)
    {
        if (Reserve(4) is { } at) BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(at), value);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (Reserve(bytes.Length) is { } at) bytes.CopyTo(buffer.AsSpan(at));
    }

    public void PatchUInt16(int at, ushort value)
    {
        if (!Overflowed) BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), value);
    }

    /// <summary>
    /// Writes a name, ending in a pointer to the longest suffix already written when <paramref name="compress"/> is
    /// set. Names written uncompressed (SRV targets, RFC 2782) still become targets for later names.
    /// </summary>
    public void WriteName(DnsName name, bool compress)
    {
        var wire = name.Wire;
        var uncompressed = 0;
        var pointer = -1;
        while (wire[uncompressed] != 0)
        {
            if (compress && suffixes.TryGetValue(new DnsNameSuffix(name, uncompressed), out var target)) { pointer = target; break; }
            uncompressed += wire[uncompressed] + 1;
        }
        var start = Length;
        for (var label = 0; label < uncompressed; label += wire[label] + 1)
        {
            var suffix = new DnsNameSuffix(name, label);
            if (start + label <= MaxPointerTarget && suffixes.TryAdd(suffix, start + label)) suffixOrder.Add(suffix);
        }
        WriteBytes(wire[..uncompressed]);
        if (pointer >= 0) WriteUInt16((ushort)(0xC000 | pointer));
        else WriteBytes([0]);
    }

    /// <summary>Room for <paramref name="count"/> more octets: their offset, or null (and <see cref="Overflowed"/>) past the limit.</summary>
    private int? Reserve(int count)
    {
        if (Overflowed || Length + count > Limit) { Overflowed = true; return null; }
        if (Length + count > buffer.Length) Array.Resize(ref buffer, Math.Min(Math.Max(buffer.Length * 2, Length + count), DnsMessage.MaxLength));
        var at = Length;
        Length += count;
        return at;
    }
}
