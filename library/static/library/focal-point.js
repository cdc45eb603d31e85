"use strict";
// The focal point of a library image (library/admin.py, focal_point_editor): click on the image,
// drag, or move the point with the arrow keys; the two number fields (focal_x, focal_y, which
// work alone without this script) follow, and so do the previews of the crops, cropped as the
// renditions are: the largest crop of the place's ratio, centred on the point as far as the
// image's edges allow.
(function () {
  function clamp(value) {
    return Math.min(100, Math.max(0, Math.round(value)));
  }

  // object-position for a crop of `boxRatio` (width / height) of an image of `imageRatio`,
  // centred on the point (fx, fy, 0 to 1) as far as the edges allow.
  function cropPosition(imageRatio, boxRatio, fx, fy) {
    let px = 0.5;
    let py = 0.5;
    if (imageRatio > boxRatio) {
      const shown = boxRatio / imageRatio;
      const left = Math.min(Math.max(fx - shown / 2, 0), 1 - shown);
      px = shown < 1 ? left / (1 - shown) : 0.5;
    } else if (imageRatio < boxRatio) {
      const shown = imageRatio / boxRatio;
      const top = Math.min(Math.max(fy - shown / 2, 0), 1 - shown);
      py = shown < 1 ? top / (1 - shown) : 0.5;
    }
    return (px * 100).toFixed(2) + "% " + (py * 100).toFixed(2) + "%";
  }

  function setUp(root) {
    const frame = root.querySelector(".focal-point-frame");
    const image = root.querySelector(".focal-point-image");
    const marker = root.querySelector(".focal-point-marker");
    const label = root.querySelector(".focal-point-label");
    const status = root.querySelector(".focal-point-status");
    const crops = root.querySelector(".focal-crops");
    const form = root.closest("form");
    const inputX = form ? form.querySelector("input[name=focal_x]") : null;
    const inputY = form ? form.querySelector("input[name=focal_y]") : null;
    const editable = Boolean(inputX && inputY);
    let x = clamp(Number(root.dataset.x));
    let y = clamp(Number(root.dataset.y));

    function describe() {
      return root.dataset.textPosition.replace("{x}", x).replace("{y}", y);
    }

    function draw(announce) {
      // In pixels of the image itself (the frame may be wider than the image it holds).
      marker.style.left = image.offsetLeft + (x / 100) * image.offsetWidth + "px";
      marker.style.top = image.offsetTop + (y / 100) * image.offsetHeight + "px";
      label.textContent = describe();
      const ratio = image.naturalWidth && image.naturalHeight
        ? image.naturalWidth / image.naturalHeight
        : Number(image.getAttribute("width")) / Number(image.getAttribute("height"));
      if (ratio) {
        for (const figure of crops.querySelectorAll(".focal-crop")) {
          figure.querySelector("img").style.objectPosition = cropPosition(
            ratio, Number(figure.dataset.ratio), x / 100, y / 100
          );
        }
      }
      if (announce) {
        status.textContent = describe();
      }
    }

    function set(newX, newY, announce) {
      x = clamp(newX);
      y = clamp(newY);
      if (editable) {
        inputX.value = x;
        inputY.value = y;
      }
      draw(announce);
    }

    function fromPointer(event) {
      const box = image.getBoundingClientRect();
      set(
        ((event.clientX - box.left) / box.width) * 100,
        ((event.clientY - box.top) / box.height) * 100,
        false
      );
    }

    function show() {
      root.hidden = false;
      marker.hidden = false;
      crops.hidden = false;
      const waiting = root.parentElement.querySelector(".focal-point-waiting");
      if (waiting) {
        waiting.hidden = true;
      }
      draw(false);
    }

    window.addEventListener("resize", () => draw(false));
    image.addEventListener("load", show);
    if (image.getAttribute("src") && image.complete && image.naturalWidth) {
      show();
    }

    // A file chosen in the form (a new image, or a replacement) is shown before it is saved:
    // read as a data: address, which the admin's policy allows for images.
    const fileInput = form ? form.querySelector("input[type=file][name=file]") : null;
    if (fileInput && editable) {
      fileInput.addEventListener("change", () => {
        const file = fileInput.files && fileInput.files[0];
        if (!file || !file.type.startsWith("image/")) {
          return;
        }
        const reader = new FileReader();
        reader.addEventListener("load", () => {
          for (const picture of root.querySelectorAll("img")) {
            picture.removeAttribute("width");
            picture.removeAttribute("height");
            picture.src = reader.result;
          }
        });
        reader.readAsDataURL(file);
      });
    }

    if (!editable) {
      marker.disabled = true;
      return;
    }
    root.classList.add("is-editable");

    let dragging = false;
    frame.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) {
        return;
      }
      event.preventDefault();
      dragging = true;
      frame.setPointerCapture(event.pointerId);
      fromPointer(event);
      marker.focus({ preventScroll: true });
    });
    frame.addEventListener("pointermove", (event) => {
      if (dragging) {
        fromPointer(event);
      }
    });
    frame.addEventListener("pointerup", () => {
      if (dragging) {
        dragging = false;
        status.textContent = describe();
      }
    });
    marker.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 10 : 1;
      const moves = {
        ArrowLeft: [-step, 0],
        ArrowRight: [step, 0],
        ArrowUp: [0, -step],
        ArrowDown: [0, step],
      };
      const move = moves[event.key];
      if (move) {
        event.preventDefault();
        set(x + move[0], y + move[1], true);
      }
    });
    for (const input of [inputX, inputY]) {
      input.addEventListener("input", () => {
        const newX = Number(inputX.value);
        const newY = Number(inputY.value);
        const valid = inputX.value !== "" && inputY.value !== "";
        if (valid && newX >= 0 && newX <= 100 && newY >= 0 && newY <= 100) {
          x = Math.round(newX);
          y = Math.round(newY);
          draw(status.textContent !== "");
        }
      });
    }
  }

  function start() {
    for (const root of document.querySelectorAll("[data-focal-point]")) {
      setUp(root);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
