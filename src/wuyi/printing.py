"""What the printable pages (the paper pass, the suspension notice) share: a font that draws Chinese."""

CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")  # Debian's fonts-noto-cjk


def cjk_font(size: int):
    """Noto Sans CJK at ``size`` pixels, or Pillow's own font when the package is missing."""
    from PIL import ImageFont

    for path in CJK_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)
