using System.Buffers.Binary;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>The dynamic ranges of a scope seen as one indexable sequence, so a hash of an IA can pick a position in it.</summary>
internal sealed class Dhcp6AddressPool(IEnumerable<Dhcp6Range> ranges)
{
    private readonly Dhcp6Range[] _ranges = [.. ranges.OrderBy(r => r.First)];

    public UInt128 Size => _ranges.Aggregate(UInt128.Zero, (sum, r) => sum + r.Size);

    public bool Contains(UInt128 address) => _ranges.Any(r => address >= r.First && address <= r.Last);

    /// <summary>
    /// Pool addresses from the IA's hashed position on, wrapping around: the first free one is the same for the same
    /// (DUID, IAID) whenever the pool looks the same, even after all state was lost. An IPv6 range can be far too large
    /// to walk, so at most <paramref name="limit"/> addresses are tried: one more than the addresses with a claim on
    /// them finds a free one whenever the pool has one.
    /// </summary>
    public IEnumerable<UInt128> ProbeOrder(Duid clientId, uint iaid, UInt128 limit)
    {
        var size = Size;
        if (size == 0) yield break;
        var identity = new byte[clientId.Bytes.Length + 4];
        clientId.Bytes.CopyTo(identity);
        BinaryPrimitives.WriteUInt32BigEndian(identity.AsSpan(clientId.Bytes.Length), iaid);
        var start = DhcpAddressPool.Fnv1a(identity) % size;
        var count = UInt128.Min(size, limit);
        for (UInt128 k = 0; k < count; k++) yield return At((start + k) % size);
    }

    private UInt128 At(UInt128 index)
    {
        foreach (var r in _ranges)
        {
            if (index < r.Size) return r.First + index;
            index -= r.Size;
        }
        throw new ArgumentOutOfRangeException(nameof(index));
    }
}
