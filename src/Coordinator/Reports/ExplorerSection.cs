using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Steerability.Coordinator.Reports;

/// <summary>
/// The report's walk explorer: per walk a slider over its test α grid, a class picker and, for each regime side by side,
/// every shown latent as G(z'(α)), the target edit(G(z), α) (grey outside the mask) and the no-walk G(z). The frames are
/// the runs' sheets (explorer_frames.png), packed beside index.html into atlases of distinct tiles (<see cref="ExplorerAtlas"/>,
/// lossless); a tile is shown by moving its atlas behind a box, so the page needs no server, no network and no canvas.
/// </summary>
public static class ExplorerSection
{
    /// <summary>On-screen pixels per image pixel.</summary>
    public const int Scale = 2;

    public const string Style =
        "#explorer .controls{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin:.5em 0}" +
        "#explorer .regimes{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start;width:calc(100vw - 5em)}#explorer .frames{display:grid;grid-template-columns:repeat(3,auto);gap:2px 10px;align-items:center}" +
        "#explorer .latents{display:flex;gap:2px}#explorer .frame{image-rendering:pixelated;background-repeat:no-repeat}#explorer .head{font-size:.8em;color:#444;max-width:10em}" +
        "#explorer .missing{color:#a00}#explorer .cls{grid-column:1/4;font-size:.85em;font-weight:bold;margin-top:.3em}\n";

    public static void Write(StringBuilder html, ReportData data, string reportDir, CancellationToken cancel = default)
    {
        html.Append("<h2 id=\"explorer-title\">Walk explorer</h2>\n");
        if (data.ExplorerUnreadable.Count > 0)
        {
            html.Append("<p id=\"explorer-unreadable\">Left out: frame manifests that could not be read or have no ").Append(GpuNode.Results.ExplorerFrameFiles.SheetFile)
                .Append(" beside them: ").Append(ReportWriter.Encode(string.Join(", ", data.ExplorerUnreadable))).Append("</p>\n");
        }
        if (data.Explorer.Count == 0)
        {
            html.Append("<p id=\"explorer-none\">No explorer frames in this folder: the walks were run by a build without them, by a runner that renders no images, ")
                .Append("or on a worker without SkiaSharp's native library.</p>\n");
            return;
        }
        // First every sheet into the atlas (repeated tiles kept once), then the atlases, then the page's references.
        var atlas = new ExplorerAtlas();
        var undecodable = new List<string>();
        var shown = new List<(string Model, string Transform, string Walk, List<(ExplorerWalk Walk, IReadOnlyList<int> Tiles)> Regimes)>();
        foreach (var group in data.Explorer.GroupBy(w => (w.Manifest.Model, w.Manifest.Transform, w.Manifest.Walk))
                     .OrderBy(g => g.Key.Transform, StringComparer.Ordinal).ThenBy(g => g.Key.Walk, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal))
        {
            cancel.ThrowIfCancellationRequested();
            var regimes = new List<(ExplorerWalk, IReadOnlyList<int>)>();
            // Repeated trials (seeds) of one regime: the first in path order is shown.
            foreach (var walk in group.GroupBy(w => w.Manifest.Regime).OrderBy(g => ReportPlots.RegimeOrder(g.Key)).Select(g => g.First()))
            {
                var m = walk.Manifest;
                if (atlas.Add(walk.SheetPath, m.Tile, m.Classes.Count * m.LatentsPerClass, 1 + 2 * m.Alphas.Count) is { } tiles)
                {
                    regimes.Add((walk, tiles));
                }
                else
                {
                    undecodable.Add(Path.Combine(walk.RelativeFolder, GpuNode.Results.ExplorerFrameFiles.SheetFile));
                }
            }
            if (regimes.Count > 0)
            {
                shown.Add((group.Key.Model, group.Key.Transform, group.Key.Walk, regimes));
            }
        }
        if (undecodable.Count > 0)
        {
            html.Append("<p id=\"explorer-undecodable\">Left out: frame sheets that do not decode to the tiles their manifest describes: ")
                .Append(ReportWriter.Encode(string.Join(", ", undecodable))).Append("</p>\n");
        }
        if (shown.Count == 0)
        {
            return;
        }
        var atlases = atlas.Write(reportDir).ToDictionary(
            a => a.Key.ToString(CultureInfo.InvariantCulture),
            a => new { capacity = ExplorerAtlas.Capacity(a.Key), columns = ExplorerAtlas.Columns, files = a.Value.Select(f => f.File), rows = a.Value.Select(f => f.Rows) });
        var groups = shown.Select(g => new
        {
            model = g.Model,
            transform = g.Transform,
            walk = g.Walk,
            regimes = g.Regimes.Select(r => new
            {
                regime = r.Walk.Manifest.Regime,
                tile = r.Walk.Manifest.Tile,
                alphas = r.Walk.Manifest.Alphas,
                classes = r.Walk.Manifest.Classes,
                latents = r.Walk.Manifest.LatentsPerClass,
                source = r.Walk.RelativeFolder,
                tiles = r.Tiles,
            }),
        });
        html.Append("<div id=\"explorer\">\n<p>For held-out latents, per class: the walk's image at α (G(z + αw), or the nonlinear walk's steps), ")
            .Append("the target edit(G(z), α) with the pixels outside its mask grey, and the no-walk image G(z). ")
            .Append("Arrow keys ← → step α; regimes of one walk stand side by side at the same α. Colour moves channel j mod 3 for latent j.</p>\n")
            .Append("<div class=\"controls\"><label>walk <select id=\"explorer-walk\"></select></label>")
            .Append("<label>class <select id=\"explorer-class\"></select></label>")
            .Append("<label>α <input type=\"range\" id=\"explorer-alpha\" min=\"0\" max=\"0\" step=\"1\" value=\"0\"></label>")
            .Append("<output id=\"explorer-alpha-value\"></output></div>\n<div class=\"regimes\" id=\"explorer-regimes\"></div>\n</div>\n")
            .Append("<script type=\"application/json\" id=\"explorer-data\">")
            // '<' is escaped so that no string in the data can close the script element.
            .Append(JsonSerializer.Serialize(new { atlases, groups }).Replace("<", "\\u003c", StringComparison.Ordinal))
            .Append("</script>\n<script>\n").Append(Script.Replace("SCALE", Scale.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)).Append("</script>\n");
    }

    // Kept free of template literals and libraries: it runs from file:// in any browser.
    private const string Script = """
        (function () {
          var data = JSON.parse(document.getElementById('explorer-data').textContent);
          var groups = data.groups, atlases = data.atlases;
          var walkPick = document.getElementById('explorer-walk');
          var classPick = document.getElementById('explorer-class');
          var slider = document.getElementById('explorer-alpha');
          var shown = document.getElementById('explorer-alpha-value');
          var panels = document.getElementById('explorer-regimes');
          var scale = SCALE;
          groups.forEach(function (g, i) {
            var o = document.createElement('option');
            o.value = i; o.textContent = g.transform + ' / ' + g.walk + (groups.some(function (h) { return h.model !== g.model; }) ? ' [' + g.model + ']' : '');
            walkPick.appendChild(o);
          });
          function alphasOf(g) {
            var all = [];
            g.regimes.forEach(function (r) { r.alphas.forEach(function (a) { if (all.indexOf(a) < 0) all.push(a); }); });
            return all.sort(function (a, b) { return a - b; });
          }
          function classesOf(g) {
            var all = [];
            g.regimes.forEach(function (r) { r.classes.forEach(function (c) { if (all.indexOf(c) < 0) all.push(c); }); });
            return all;
          }
          function tile(r, row, col, kind, alpha, cls, latent) {
            var d = document.createElement('div');
            // The tile's place in the run's sheet names it; the atlas holds its pixels, shared with every sheet that repeats it.
            var cols = 1 + 2 * r.alphas.length, size = r.tile * scale;
            var set = atlases[r.tile], at = r.tiles[row * cols + col];
            var file = Math.floor(at / set.capacity), slot = at % set.capacity;
            d.className = 'frame';
            d.dataset.kind = kind; d.dataset.row = row; d.dataset.col = col; d.dataset.cls = cls; d.dataset.latent = latent;
            d.dataset.alpha = alpha; d.dataset.regime = r.regime;
            d.style.width = size + 'px'; d.style.height = size + 'px';
            d.style.backgroundImage = 'url("' + encodeURI(set.files[file]) + '")';
            d.style.backgroundSize = (set.columns * size) + 'px ' + (set.rows[file] * size) + 'px';
            d.style.backgroundPosition = (-(slot % set.columns) * size) + 'px ' + (-Math.floor(slot / set.columns) * size) + 'px';
            d.title = r.regime + ', ' + cls + ', latent ' + latent + ', ' + kind + (kind === 'nowalk' ? '' : ', α = ' + alpha);
            return d;
          }
          function head(text) { var h = document.createElement('div'); h.className = 'head'; h.textContent = text; return h; }
          function render() {
            var g = groups[+walkPick.value];
            var alphas = alphasOf(g);
            var alpha = alphas[+slider.value];
            shown.textContent = 'α = ' + alpha;
            var pick = classPick.value;
            panels.textContent = '';
            g.regimes.forEach(function (r) {
              var box = document.createElement('div');
              box.className = 'regime'; box.dataset.regime = r.regime;
              var title = document.createElement('h4'); title.textContent = r.regime; box.appendChild(title);
              var a = r.alphas.indexOf(alpha);
              if (a < 0) {
                var none = document.createElement('p'); none.className = 'missing'; none.textContent = 'no frame at α = ' + alpha;
                box.appendChild(none); panels.appendChild(box); return;
              }
              var grid = document.createElement('div'); grid.className = 'frames';
              grid.appendChild(head(g.walk === 'nonlinear' ? 'nonlinear walk at α' : 'G(z + αw)'));
              grid.appendChild(head('edit(G(z), α), grey outside the mask'));
              grid.appendChild(head('G(z), no walk'));
              r.classes.forEach(function (cls, c) {
                if (pick !== '' && pick !== cls) return;
                var label = document.createElement('div'); label.className = 'cls'; label.textContent = cls; grid.appendChild(label);
                // One row per class: the class's latents side by side in each of the three cells.
                var cells = [0, 1, 2].map(function () { var s = document.createElement('div'); s.className = 'latents'; grid.appendChild(s); return s; });
                for (var j = 0; j < r.latents; j++) {
                  var row = c * r.latents + j;
                  cells[0].appendChild(tile(r, row, 1 + a, 'walk', alpha, cls, j));
                  cells[1].appendChild(tile(r, row, 1 + r.alphas.length + a, 'target', alpha, cls, j));
                  cells[2].appendChild(tile(r, row, 0, 'nowalk', alpha, cls, j));
                }
              });
              box.appendChild(grid); panels.appendChild(box);
            });
          }
          function chooseWalk() {
            var g = groups[+walkPick.value];
            var alphas = alphasOf(g);
            slider.max = alphas.length - 1;
            // Start at the α nearest the identity edit (0, or 1 for zoom), where walk and no-walk agree.
            var identity = g.transform === 'zoom' ? 1 : 0, best = 0;
            alphas.forEach(function (a, i) { if (Math.abs(a - identity) < Math.abs(alphas[best] - identity)) best = i; });
            slider.value = best;
            var keep = classPick.value;
            classPick.textContent = '';
            var all = document.createElement('option'); all.value = ''; all.textContent = 'all'; classPick.appendChild(all);
            classesOf(g).forEach(function (c) { var o = document.createElement('option'); o.value = c; o.textContent = c; classPick.appendChild(o); });
            classPick.value = classesOf(g).indexOf(keep) >= 0 ? keep : '';
            render();
          }
          walkPick.addEventListener('change', chooseWalk);
          classPick.addEventListener('change', render);
          slider.addEventListener('input', render);
          document.addEventListener('keydown', function (e) {
            // The slider steps itself on arrow keys, and pickers use them to choose: only elsewhere do arrows step α here.
            if (e.target === slider || e.target.tagName === 'SELECT') return;
            var step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
            if (step === 0) return;
            var next = Math.min(+slider.max, Math.max(0, +slider.value + step));
            if (next !== +slider.value) { slider.value = next; render(); }
            e.preventDefault();
          });
          chooseWalk();
        })();

        """;
}
