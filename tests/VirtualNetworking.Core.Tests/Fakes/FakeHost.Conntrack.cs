using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>The kernel's conntrack table: the flows a test puts there, per family.</summary>
internal sealed partial class FakeHost : IConntrack
{
    public readonly List<(bool Ipv6, ConntrackEntry Entry)> Flows = new();

    public int Delete(byte protocol, bool ipv6, Func<ConntrackEntry, bool> match)
    {
        Check("conntrack");
        return Flows.RemoveAll(f => f.Ipv6 == ipv6 && f.Entry.Protocol == protocol && match(f.Entry));
    }
}
