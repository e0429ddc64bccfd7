namespace VirtualNetworking.Core.Ports;

/// <summary>Users and capabilities: whether this process may change the host, and who a user is.</summary>
public interface IHostUsers
{
    /// <summary>Throws VNetworkPermissionDenied when this process may not change links and firewall (no CAP_NET_ADMIN).</summary>
    void EnsureCanChange();
    /// <summary>The uid of a user name or numeric id; null when the host has no such user.</summary>
    uint? FindUser(string user);
}
