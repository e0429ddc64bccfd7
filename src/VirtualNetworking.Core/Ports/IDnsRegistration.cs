using System.Net;

namespace VirtualNetworking.Core.Ports;

/// <summary>
/// The host's resolver, for &lt;domain register='yes'&gt; (libvirt 10.1): the network's DNS server becomes the host's server
/// for the network's domain, on its bridge. Register and Unregister throw NetworkProblemException.
/// </summary>
public interface IDnsRegistration
{
    /// <summary>Why registration cannot be done on this host (say, systemd-resolved does not run); null when it can.</summary>
    string? Unavailable();
    /// <summary>Sends queries for <paramref name="domain"/> and below to <paramref name="servers"/>, by way of <paramref name="bridge"/>.</summary>
    void Register(string bridge, IReadOnlyList<IPAddress> servers, string domain);
    /// <summary>Forgets what <see cref="Register"/> set on <paramref name="bridge"/>; idempotent, and nothing to do once the bridge is gone.</summary>
    void Unregister(string bridge);
}
