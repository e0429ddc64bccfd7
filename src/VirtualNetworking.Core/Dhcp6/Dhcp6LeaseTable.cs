using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>
/// Every address with a claim on it (bound or declined), by address, with an index from identity association to
/// its one bound address: the server gives one address per IA_NA.
/// </summary>
internal sealed class Dhcp6LeaseTable
{
    private readonly Dictionary<UInt128, Dhcp6Lease> _byAddress = [];
    private readonly Dictionary<Dhcp6Binding, UInt128> _byBinding = [];

    public IEnumerable<Dhcp6Lease> All => _byAddress.Values;

    public int Count => _byAddress.Count;

    public Dhcp6Lease? Get(UInt128 address) => _byAddress.GetValueOrDefault(address);

    public Dhcp6Lease? Find(Dhcp6Binding binding) =>
        _byBinding.TryGetValue(binding, out var address) ? _byAddress[address] : null;

    /// <summary>Stores a lease, replacing whatever was at its address; returns the binding's previous lease elsewhere, which is dropped.</summary>
    public Dhcp6Lease? Put(Dhcp6Lease lease)
    {
        var address = IpNetwork.ToInteger(lease.Address);
        Remove(address);
        if (lease.State == Dhcp6LeaseState.Declined) { _byAddress[address] = lease; return null; }
        Dhcp6Lease? displaced = null;
        if (_byBinding.TryGetValue(lease.Binding, out var previous))
        {
            displaced = _byAddress[previous];
            _byAddress.Remove(previous);
        }
        _byAddress[address] = lease;
        _byBinding[lease.Binding] = address;
        return displaced;
    }

    public Dhcp6Lease? Remove(UInt128 address)
    {
        if (!_byAddress.Remove(address, out var old)) return null;
        if (old.State == Dhcp6LeaseState.Bound) _byBinding.Remove(old.Binding);
        return old;
    }
}
