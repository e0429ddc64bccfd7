using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;

namespace VirtualNetworking.PowerShell.Tests.IL;

/// <summary>
/// One IL instruction. Operand is what a metadata token stands for (a MethodBase, FieldInfo, Type or, for ldtoken,
/// any MemberInfo) or ldstr's string; branch targets, numbers and locals are not needed by any analysis here: null.
/// </summary>
public readonly record struct Instruction(OpCode OpCode, object? Operand);

/// <summary>
/// Decodes method bodies with runtime reflection alone (MethodBody.GetILAsByteArray and Module.Resolve*), so the
/// tests read the very assemblies the module ships, with no IL library of their own to trust.
/// </summary>
public static class IlReader
{
    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256]; // after the 0xFE prefix
    private static readonly ConcurrentDictionary<MethodBase, IReadOnlyList<Instruction>> Decoded = new();

    static IlReader()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            var value = (ushort)opCode.Value;
            if (opCode.Size == 1) OneByte[value] = opCode;
            else TwoByte[value & 0xFF] = opCode;
        }
    }

    /// <summary>The instructions of a method's body; none for an abstract, extern or interface method.</summary>
    public static IReadOnlyList<Instruction> Read(MethodBase method) => Decoded.GetOrAdd(method, Decode);

    private static IReadOnlyList<Instruction> Decode(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return [];
        // Tokens inside a generic type or method name its type parameters: resolve them in the method's own context.
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        var module = method.Module;
        var instructions = new List<Instruction>();
        var position = 0;
        while (position < il.Length)
        {
            var first = il[position++];
            var opCode = first == 0xFE ? TwoByte[il[position++]] : OneByte[first];
            if (opCode.Size == 0) throw new InvalidDataException($"Unknown opcode 0x{first:X2} at IL_{position - 1:X4} in {method.DeclaringType}.{method.Name}.");
            var token = opCode.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType
                or OperandType.InlineTok or OperandType.InlineString ? BitConverter.ToInt32(il, position) : 0;
            object? operand = opCode.OperandType switch
            {
                OperandType.InlineMethod => module.ResolveMethod(token, typeArguments, methodArguments),
                OperandType.InlineField => module.ResolveField(token, typeArguments, methodArguments),
                OperandType.InlineType => module.ResolveType(token, typeArguments, methodArguments),
                OperandType.InlineTok => module.ResolveMember(token, typeArguments, methodArguments),
                OperandType.InlineString => module.ResolveString(token),
                _ => null,
            };
            instructions.Add(new Instruction(opCode, operand));
            position += OperandSize(opCode.OperandType, il, position);
        }
        return instructions;
    }

    private static int OperandSize(OperandType type, byte[] il, int position) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        // switch: a count, then that many 4-byte branch offsets.
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
        _ => 4, // branch targets, int32, float32, tokens, signatures
    };
}
