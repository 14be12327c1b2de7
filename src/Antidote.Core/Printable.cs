using System.Text;

namespace Antidote.Core;

/// <summary>
/// Text taken from a file (a tensor name, a storage key, an image's file name) made safe to print on one line: control
/// characters, C1 controls and bidirectional overrides are written as escapes, so neither a newline nor a terminal escape
/// sequence from a file reaches the terminal, and a long name is cut.
/// </summary>
public static class Printable
{
    public const int MaxLength = 200;

    public static string Escape(string text, int maxLength = MaxLength)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 16);
        foreach (char c in text.Length > maxLength ? text[..maxLength] : text)
        {
            if (c < 0x20 || c is >= '\u007f' and <= '\u009f' or >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f')
                builder.Append(c <= 0xff ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        if (text.Length > maxLength)
            builder.Append($"… (+{text.Length - maxLength} characters)");
        return builder.ToString();
    }

    /// <summary>'name', escaped and cut.</summary>
    public static string Quote(string text) => $"'{Escape(text)}'";
}
