import { planResize } from '../../../src/imaging/input-geometry';

describe('planResize', () => {
  it('stretch maps the whole input onto the whole image', () => {
    const plan = planResize(500, 334, { width: 224, height: 224, resize: 'stretch' });

    expect(plan.geometry.content).toEqual({ left: 0, top: 0, width: 224, height: 224 });
    expect(plan.geometry.source).toEqual({ left: 0, top: 0, width: 500, height: 334 });
    expect([plan.resizedWidth, plan.resizedHeight]).toEqual([224, 224]);
  });

  it('letterbox scales by min(224/500, 224/334) and centres vertically with padding', () => {
    const plan = planResize(500, 334, { width: 224, height: 224, resize: 'letterbox' });

    // 334 * 0.448 = 149.632 -> 150 rows; (224 - 150) / 2 = 37 rows of padding above
    expect(plan.geometry.content).toEqual({ left: 0, top: 37, width: 224, height: 150 });
    expect(plan.geometry.source).toEqual({ left: 0, top: 0, width: 500, height: 334 });
    expect([plan.offsetLeft, plan.offsetTop]).toEqual([0, 37]);
  });

  it('center-crop scales by max(8/40, 8/20) and keeps the centre of the original', () => {
    const plan = planResize(40, 20, { width: 8, height: 8, resize: 'center-crop' });

    // scale 0.4: resized 16 x 8, crop columns 4..12, i.e. original columns 10..30
    expect([plan.resizedWidth, plan.resizedHeight]).toEqual([16, 8]);
    expect(plan.geometry.content).toEqual({ left: 0, top: 0, width: 8, height: 8 });
    expect(plan.geometry.source).toEqual({ left: 10, top: 0, width: 20, height: 20 });
  });

  it('keeps width and height apart for a portrait image and a wide input', () => {
    const plan = planResize(20, 40, { width: 16, height: 8, resize: 'letterbox' });

    // scale min(16/20, 8/40) = 0.2: 4 x 8 picture, 6 columns of padding on the left
    expect(plan.geometry.content).toEqual({ left: 6, top: 0, width: 4, height: 8 });
    expect([plan.geometry.inputWidth, plan.geometry.inputHeight]).toEqual([16, 8]);
    expect([plan.geometry.imageWidth, plan.geometry.imageHeight]).toEqual([20, 40]);
  });
});
