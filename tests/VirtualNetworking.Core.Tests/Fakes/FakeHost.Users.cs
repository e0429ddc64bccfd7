using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Tests.Fakes;

internal sealed partial class FakeHost : IHostUsers
{
    public bool MayChange = true;

    public void EnsureCanChange()
    {
        if (!MayChange) throw new NetworkProblemException(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied, "fake: no CAP_NET_ADMIN");
    }

    public readonly Dictionary<string, uint> Users = new() { ["qemu"] = 64055 };

    public uint? FindUser(string user) => uint.TryParse(user, out var uid) ? uid : Users.TryGetValue(user, out var known) ? known : null;
}
