using System.Net;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Model;

/// <summary>How a guest is attached: a tap that QEMU opens, or a veth whose far end sits in a container's namespace.</summary>
public enum PortType
{
    Tap,
    Veth,
}

/// <summary>
/// A container's network namespace as the user named it (a name under /run/netns, a path such as
/// /var/run/docker/netns/…, or a process id) and the file that holds it.
/// </summary>
public sealed record PortNamespace(string Display, string Path)
{
    /// <summary>A name from 'ip netns list' or an absolute path; refuses text that can name neither (VNetworkNamespaceInvalid).</summary>
    public static PortNamespace FromText(string text) => Problem(text) is { } problem
        ? throw new NetworkProblemException(ErrorIds.NamespaceInvalid, ProblemCategory.InvalidArgument,
            $"'{text}' cannot name a network namespace: {problem}. Give a name from 'ip netns list', an absolute path, or -ProcessId.", text)
        : text.Contains('/') ? new(text, text) : new(text, "/run/netns/" + text);

    public static PortNamespace FromProcessId(int processId) =>
        new($"pid:{processId}", $"/proc/{processId}/ns/net");

    private static string? Problem(string text) => text switch
    {
        "" => "it is empty",
        "." or ".." => "'.' and '..' are not namespace names",
        _ when text.Any(char.IsControl) => "it contains control characters",
        _ when text.Contains('/') && !text.StartsWith('/') => "a path must be absolute",
        _ => null,
    };
}

/// <summary>
/// A port (libvirt's net-port): the link on the host that enslaves a guest's NIC to a network's bridge.
/// <paramref name="MacAddress"/> is the guest's; the host end carries <paramref name="HostMacAddress"/> (fe:…),
/// so the bridge never takes the guest's MAC as its own. <paramref name="ReservedAddress"/>: the DHCP reservation
/// this port made (-IPAddress), removed with it.
/// </summary>
public sealed record NetworkPort(
    string Network,
    string Name,
    PortType Type,
    string MacAddress,
    string HostMacAddress,
    string Bridge,
    uint? OwnerUid = null,
    PortNamespace? Namespace = null,
    string? GuestInterfaceName = null,
    IPAddress? ReservedAddress = null);
