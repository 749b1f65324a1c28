using TorchSharp;

namespace MLNetCnn.Runtime;

/// <summary>
/// Scalar arguments that stay alive through the native calls they are passed to. TorchSharp 0.107 turns a number into a
/// <see cref="Scalar"/> implicitly, hands its native handle to libtorch and drops the object: a garbage collection that any
/// other thread starts during the call can finalise it and free what libtorch is about to read (dotnet/TorchSharp#1434 and
/// #1496, unreleased), which gives wrong values or an error. The library passes these process-lifetime constants, or
/// scalars it creates with <c>ToScalar()</c> and disposes after the call; <c>ScalarLifetimeTests</c> checks its code for
/// implicit conversions.
/// </summary>
internal static class Scalars
{
    /// <summary>The integer 1, as the <c>alpha</c> of an addition.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>The integer 2, as the exponent of a square.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>The smallest denominator of a normalisation: 1e-12.</summary>
    public static readonly Scalar SmallestDenominator = 1e-12.ToScalar();
}
