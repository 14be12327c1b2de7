using System.Buffers.Binary;
using Antidote.Core;

namespace Antidote.Models.Checkpoints;

/// <summary>
/// One linear pass over a pickle's opcodes (protocols 0–5, as Python's pickletools lists them) before anything is unpickled:
/// the work an unpickler would do is bounded by the count of opcodes, and the only literal whose parse is worse than linear
/// (a long integer: LONG, LONG4) is bounded in length. A state dict's pickle takes about 30 opcodes per tensor.
/// </summary>
public static class PickleBudget
{
    /// <summary>Digits of a LONG literal, bytes of a LONG1/LONG4 one: 2^256 is far beyond any size, offset or stride.</summary>
    public const int MaxLongLength = 80;

    /// <summary>Opcodes allowed for a pickle beside <paramref name="storages"/> storage entries: a fixed allowance plus 200
    /// per storage (a state dict uses about 30 per tensor; a training checkpoint adds its optimizer's lists and numbers).</summary>
    public static long MaxOpcodes(int storages) => 100_000 + 200L * storages;

    /// <summary>Walks the opcodes; throws (one line, naming the budget) when the pickle is malformed or over budget.</summary>
    public static void Check(ReadOnlySpan<byte> pickle, long maxOpcodes, string what)
    {
        long count = 0;
        int at = 0;
        while (at < pickle.Length)
        {
            if (++count > maxOpcodes)
                throw new AntidoteException($"{what}: its pickle has more than {maxOpcodes} opcodes (the budget for this many tensors); refused before unpickling");
            byte op = pickle[at++];
            switch (op)
            {
                case (byte)'.': return; // STOP
                // no argument
                case (byte)'(' or (byte)'0' or (byte)'1' or (byte)'2' or (byte)'N' or (byte)'R' or (byte)'a' or (byte)'b' or (byte)'d'
                    or (byte)'}' or (byte)'e' or (byte)'l' or (byte)']' or (byte)'o' or (byte)'s' or (byte)'t' or (byte)')' or (byte)'u'
                    or (byte)'Q' or 0x85 or 0x86 or 0x87 or 0x88 or 0x89 or 0x81 or 0x92 or 0x93 or 0x94 or 0x8f or 0x90 or 0x91 or 0x97 or 0x98:
                    break;
                // one text line: FLOAT, STRING, UNICODE, PERSID, GET, PUT; INT and LONG bounded
                case (byte)'F' or (byte)'S' or (byte)'V' or (byte)'P' or (byte)'g' or (byte)'p':
                    at = Line(pickle, at, what);
                    break;
                case (byte)'I' or (byte)'L':
                {
                    int end = Line(pickle, at, what);
                    if (end - at - 1 > MaxLongLength)
                        throw new AntidoteException($"{what}: its pickle holds an integer literal of {end - at - 1} digits (at most {MaxLongLength})");
                    at = end;
                    break;
                }
                // two text lines: GLOBAL, INST
                case (byte)'c' or (byte)'i':
                    at = Line(pickle, Line(pickle, at, what), what);
                    break;
                case (byte)'K' or (byte)'h' or (byte)'q' or 0x80 or 0x82: at = Skip(pickle, at, 1, what); break;
                case (byte)'M' or 0x83: at = Skip(pickle, at, 2, what); break;
                case (byte)'J' or (byte)'j' or (byte)'r' or 0x84: at = Skip(pickle, at, 4, what); break;
                case (byte)'G' or 0x95: at = Skip(pickle, at, 8, what); break;
                // one length byte, then data: SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE, LONG1
                case (byte)'U' or (byte)'C' or 0x8c or 0x8a:
                    at = Skip(pickle, at, 1, what);
                    at = Skip(pickle, at, pickle[at - 1], what);
                    break;
                // four length bytes, then data: BINSTRING, BINBYTES, BINUNICODE, LONG4
                case (byte)'T' or (byte)'B' or (byte)'X' or 0x8b:
                {
                    at = Skip(pickle, at, 4, what);
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(pickle[(at - 4)..]);
                    if (op == 0x8b && length > MaxLongLength)
                        throw new AntidoteException($"{what}: its pickle holds an integer literal of {length} bytes (at most {MaxLongLength})");
                    at = Skip(pickle, at, length, what);
                    break;
                }
                // eight length bytes, then data: BINUNICODE8, BINBYTES8, BYTEARRAY8
                case 0x8d or 0x8e or 0x96:
                {
                    at = Skip(pickle, at, 8, what);
                    ulong length = BinaryPrimitives.ReadUInt64LittleEndian(pickle[(at - 8)..]);
                    at = Skip(pickle, at, length, what);
                    break;
                }
                default:
                    throw new AntidoteException($"{what}: its pickle holds an unknown opcode 0x{op:x2} at byte {at - 1}");
            }
        }
        throw new AntidoteException($"{what}: its pickle ends without a STOP opcode");
    }

    private static int Line(ReadOnlySpan<byte> pickle, int at, string what)
    {
        int newline = pickle[at..].IndexOf((byte)'\n');
        if (newline < 0)
            throw new AntidoteException($"{what}: its pickle ends inside a text argument");
        return at + newline + 1;
    }

    private static int Skip(ReadOnlySpan<byte> pickle, int at, ulong length, string what)
    {
        if (length > (ulong)(pickle.Length - at))
            throw new AntidoteException($"{what}: its pickle ends inside an argument ({length} bytes declared at byte {at})");
        return at + (int)length;
    }

    private static int Skip(ReadOnlySpan<byte> pickle, int at, uint length, string what) => Skip(pickle, at, (ulong)length, what);

    private static int Skip(ReadOnlySpan<byte> pickle, int at, int length, string what) => Skip(pickle, at, (ulong)length, what);
}
