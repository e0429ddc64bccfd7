using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Validation;

/// <summary>libvirt's define-time rules (network_conf.c parse + validate), every problem at once.</summary>
public static class NetworkValidator
{
    public static IReadOnlyList<NetworkProblem> Validate(NetworkDefinition definition) => throw new NotImplementedException();
}
