using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// Every address with a claim on it (offered, bound or declined), by address, with an index from client
/// identity to its one offered/bound address: a client never holds two addresses at once.
/// </summary>
internal sealed class DhcpLeaseTable
{
    private readonly Dictionary<uint, DhcpLease> _byAddress = [];
    private readonly Dictionary<ClientKey, uint> _byClient = [];

    public IEnumerable<DhcpLease> All => _byAddress.Values;

    public DhcpLease? Get(uint address) => _byAddress.GetValueOrDefault(address);

    public DhcpLease? Find(DhcpClient client) =>
        _byClient.TryGetValue(KeyOf(client.ClientId, client.HardwareAddress), out var address) ? _byAddress[address] : null;

    /// <summary>Stores a lease, replacing whatever was at its address; returns the client's previous entry elsewhere, which is dropped.</summary>
    public DhcpLease? Put(DhcpLease lease)
    {
        var address = Ipv4.ToUInt32(lease.Address);
        Remove(address);
        if (lease.State == DhcpLeaseState.Declined) { _byAddress[address] = lease; return null; }
        var key = KeyOf(lease);
        DhcpLease? displaced = null;
        if (_byClient.TryGetValue(key, out var previous))
        {
            displaced = _byAddress[previous];
            _byAddress.Remove(previous);
        }
        _byAddress[address] = lease;
        _byClient[key] = address;
        return displaced;
    }

    public DhcpLease? Remove(uint address)
    {
        if (!_byAddress.Remove(address, out var old)) return null;
        if (old.State != DhcpLeaseState.Declined) _byClient.Remove(KeyOf(old));
        return old;
    }

    private static ClientKey KeyOf(DhcpLease lease) => KeyOf(lease.ClientId, lease.HardwareAddress);

    private static ClientKey KeyOf(byte[]? clientId, PhysicalAddress mac) => clientId is not null ? new(clientId, null) : new(null, mac);

    /// <summary>A client's identity as a key: its client id by content, else its MAC. Made per lookup without allocating.</summary>
    private readonly struct ClientKey(byte[]? clientId, PhysicalAddress? mac) : IEquatable<ClientKey>
    {
        public bool Equals(ClientKey other) =>
            clientId is not null
                ? other.ClientId is not null && clientId.AsSpan().SequenceEqual(other.ClientId)
                : other.ClientId is null && Equals(mac, other.Mac);

        public override bool Equals(object? obj) => obj is ClientKey other && Equals(other);

        public override int GetHashCode()
        {
            if (clientId is null) return mac?.GetHashCode() ?? 0;
            var hash = new HashCode();
            hash.AddBytes(clientId);
            return hash.ToHashCode();
        }

        private byte[]? ClientId => clientId;
        private PhysicalAddress? Mac => mac;
    }
}
