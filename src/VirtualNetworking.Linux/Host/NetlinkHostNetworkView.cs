using VirtualNetworking.Core.Engine;
namespace VirtualNetworking.Linux.Host;
public sealed class NetlinkHostNetworkView : IHostNetworkView
{
    public IReadOnlyList<HostLink> Links() => throw new NotImplementedException();
    public IReadOnlyList<HostAddress> Addresses() => throw new NotImplementedException();
    public IReadOnlyList<HostRoute> Routes() => throw new NotImplementedException();
}
