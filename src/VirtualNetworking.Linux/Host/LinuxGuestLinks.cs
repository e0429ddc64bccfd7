using System.Runtime.InteropServices;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Linux.Netlink;
using static VirtualNetworking.Linux.Host.KernelCalls;

namespace VirtualNetworking.Linux.Host;

/// <summary>Guests' links through rtnetlink: persistent taps for QEMU and veths whose far end is created in a container's namespace.</summary>
public sealed class LinuxGuestLinks : NetlinkAdapter, IGuestLinks
{
    public void CreateTapPort(string name, string hostMacAddress, string bridge, uint? ownerUid)
    {
        var settings = PortSettings(hostMacAddress, bridge);
        Change($"create tap {name}", () => Client.CreateTap(name, ownerUid));
        try { Change($"attach tap {name} to {bridge}", () => Client.ConfigurePort(Index(Client, name), settings)); }
        catch
        {
            DeleteIfPresent(name);
            throw;
        }
    }

    public void CreateVethPort(string name, string hostMacAddress, string bridge, PortNamespace ns, string guestName, string guestMacAddress)
    {
        var settings = PortSettings(hostMacAddress, bridge) with { PeerUp = true };
        SafeHandle file;
        try { file = File.OpenHandle(ns.Path, FileMode.Open, FileAccess.Read); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new NetworkProblemException(ErrorIds.NamespaceNotFound, ProblemCategory.ObjectNotFound,
                $"There is no network namespace '{ns.Display}' ({ns.Path}). Give a name from 'ip netns list', a namespace file's path, or the id of a process inside it.", ns.Display);
        }
        using (file)
        {
            try { Client.CreateVeth(name, guestName, guestMacAddress, NetworkNamespaceTarget.FromFile(file), settings); }
            catch (NetlinkException e) when (e.Errno == Errno.EINVAL && Client.GetLink(name) is null)
            {
                throw new NetworkProblemException(ErrorIds.NamespaceNotFound, ProblemCategory.ObjectNotFound,
                    $"'{ns.Path}' is not a network namespace. Give a name from 'ip netns list', a namespace file's path, or the id of a process inside it.", ns.Display);
            }
            // The host end was free a moment ago (checked under the live lock), so the clash is the guest's name.
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST && Client.GetLink(name) is null)
            {
                throw new NetworkProblemException(ErrorIds.GuestInterfaceInUse, ProblemCategory.ResourceExists,
                    $"Namespace '{ns.Display}' already has an interface named '{guestName}'. Give another -GuestInterfaceName.", guestName);
            }
            catch (NetlinkException e) { throw Problem($"create veth {name} for namespace {ns.Display}", e, ProblemCategory.InvalidOperation); }
        }
    }

    public void AttachPort(string name, string bridge) =>
        Change($"attach {name} to {bridge}", () => Client.ConfigurePort(Index(Client, name), PortSettings(null, bridge)));

    /// <summary>A port takes the bridge's MTU, as libvirt's tap ports do, so it never lowers the bridge's.</summary>
    private LinkSettings PortSettings(string? macAddress, string bridge)
    {
        var master = Read($"look up bridge {bridge}", () => Client.GetLink(bridge)) ?? throw new NetworkProblemException(ErrorIds.LinkNotFound,
            ProblemCategory.ObjectNotFound, $"Bridge '{bridge}' does not exist on this host.", bridge);
        return new LinkSettings(macAddress, master.Mtu, master.Index, Up: true);
    }

    private void DeleteIfPresent(string name)
    {
        if (Read($"look up link {name}", () => Client.GetLink(name)) is { } link)
            Change($"delete link {name}", () => Client.DeleteLinkUntilUnlisted(link.Index));
    }
}
