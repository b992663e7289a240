using CameraNet.Contracts;

namespace CameraNet.Plates.Synthesis;

/// <summary>
/// What a plate looks like: its colour family, for new-energy plates the vehicle size, and the glyph
/// face its characters are drawn in (0: the plate font bitmaps; see <see cref="GlyphSet.FaceCount"/>).
/// </summary>
public sealed record PlateStyle(PlateColour Colour, bool LargeVehicle = false, int Face = 0)
{
    public static readonly PlateStyle Blue = new(PlateColour.Blue);
    public static readonly PlateStyle Yellow = new(PlateColour.Yellow);
    public static readonly PlateStyle Black = new(PlateColour.Black);
    public static readonly PlateStyle White = new(PlateColour.White);
    public static readonly PlateStyle GreenSmall = new(PlateColour.Green);
    public static readonly PlateStyle GreenLarge = new(PlateColour.Green, LargeVehicle: true);

    public int CharacterCount => Colour == PlateColour.Green ? 8 : 7;

    /// <summary>Canvas size in pixels at 1 px per mm (GA 36: 440×140 mm, new-energy 480×140 mm).</summary>
    public int CanvasWidth => Colour == PlateColour.Green ? 480 : 440;

    public const int CanvasHeight = 140;
}
