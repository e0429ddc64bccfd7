namespace VirtualNetworking.Core.Dhcp;

/// <summary>The dynamic ranges of a scope seen as one indexable sequence, so a hash can pick a position in it.</summary>
internal sealed class DhcpAddressPool(IEnumerable<DhcpRange> ranges)
{
    private readonly DhcpRange[] _ranges = [.. ranges.OrderBy(r => r.First)];

    public long Size { get; } = ranges.Sum(r => r.Size);

    public bool Contains(uint address)
    {
        foreach (var r in _ranges)
            if (address >= r.First && address <= r.Last) return true;
        return false;
    }

    public uint At(long index)
    {
        foreach (var r in _ranges)
        {
            if (index < r.Size) return (uint)(r.First + index);
            index -= r.Size;
        }
        throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>
    /// Pool addresses starting at the client's hashed position and wrapping around, so the first free one
    /// is the same for the same client whenever the pool looks the same — even after all state was lost.
    /// </summary>
    public IEnumerable<uint> ProbeOrder(ReadOnlySpan<byte> identity)
    {
        if (Size == 0) return [];
        var start = Fnv1a(identity) % Size;
        return Probe(start);
    }

    private IEnumerable<uint> Probe(long start)
    {
        for (long k = 0; k < Size; k++) yield return At((start + k) % Size);
    }

    /// <summary>FNV-1a: stable across processes, unlike string.GetHashCode.</summary>
    internal static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes) hash = (hash ^ b) * 16777619u;
        return hash;
    }
}
