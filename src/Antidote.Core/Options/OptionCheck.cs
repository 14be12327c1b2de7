using System.Globalization;

namespace Antidote.Core.Options;

/// <summary>The range checks options records make in <see cref="IComponentOptions.Validate"/>; each names its field
/// (pass <c>nameof(Field)</c>).</summary>
public static class OptionCheck
{
    public static void Positive(string field, double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) Fail(field, $"must be > 0, got {Text(value)}");
    }

    public static void NotNegative(string field, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value)) Fail(field, $"must be >= 0, got {Text(value)}");
    }

    public static void AtLeast(string field, double value, double min)
    {
        if (!(value >= min) || double.IsInfinity(value)) Fail(field, $"must be a finite number >= {Text(min)}, got {Text(value)}");
    }

    public static void InRange(string field, long value, long min, long max)
    {
        if (value < min || value > max) Fail(field, $"must be in [{min}, {max}], got {value}");
    }

    /// <summary>In (0, 1], or [0, 1] with <paramref name="allowZero"/>, or [0, 1) with <paramref name="allowOne"/> false.</summary>
    public static void Fraction(string field, double value, bool allowZero = false, bool allowOne = true)
    {
        bool low = allowZero ? value >= 0 : value > 0, high = allowOne ? value <= 1 : value < 1;
        if (!low || !high || double.IsNaN(value))
            Fail(field, $"must be in {(allowZero ? "[0" : "(0")}, {(allowOne ? "1]" : "1)")}, got {Text(value)}");
    }

    public static void NotEmpty(string field, string? value)
    {
        if (value is not null && value.Trim().Length == 0) Fail(field, "must not be empty");
    }

    /// <summary>Validates a nested record, naming its fields under <paramref name="field"/>.</summary>
    public static void Nested(string field, IComponentOptions? options)
    {
        try
        {
            options?.Validate();
        }
        catch (InvalidOptionException e)
        {
            throw e.Within(field);
        }
    }

    public static void Fail(string field, string problem) => throw new InvalidOptionException([field], problem);

    private static string Text(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
