using CameraNet.Contracts;

namespace CameraNet.Plates.Synthesis;

/// <summary>
/// What a plate looks like: its colour family, for new-energy plates the vehicle size, the glyph face
/// its characters are drawn in (0: the plate font bitmaps; see <see cref="GlyphSet.FaceCount"/>), and
/// whether it has two rows (a large vehicle's or trailer's rear plate: province and letter above, the
/// five-character serial below, on a 440×220 mm plate; GA 36 gives it only to yellow plates).
/// </summary>
public sealed record PlateStyle(PlateColour Colour, bool LargeVehicle = false, int Face = 0, bool TwoRow = false)
{
    public static readonly PlateStyle Blue = new(PlateColour.Blue);
    public static readonly PlateStyle Yellow = new(PlateColour.Yellow);
    public static readonly PlateStyle Black = new(PlateColour.Black);
    public static readonly PlateStyle White = new(PlateColour.White);
    public static readonly PlateStyle GreenSmall = new(PlateColour.Green);
    public static readonly PlateStyle GreenLarge = new(PlateColour.Green, LargeVehicle: true);
    public static readonly PlateStyle YellowTwoRow = new(PlateColour.Yellow, LargeVehicle: true, TwoRow: true);

    public int CharacterCount => Colour == PlateColour.Green ? 8 : 7;

    /// <summary>Canvas size in pixels at 1 px per mm (GA 36: 440×140 mm, new-energy 480×140 mm).</summary>
    public int CanvasWidth => Colour == PlateColour.Green ? 480 : 440;

    public const int CanvasHeight = 140;

    /// <summary>Height of this plate's canvas: 140, or 220 for a two-row plate.</summary>
    public int Height => TwoRow ? TwoRowHeight : CanvasHeight;

    public const int TwoRowHeight = 220;
}
